// Streamlit's own widget texts in the reader's language, and a typed date applied on Enter (ui/st_texts.py).
// Runs in the app's document (st.html with javascript): once per browser tab, whatever the reruns.
(function (config) {
  "use strict";
  const state = window.__parityStTexts || (window.__parityStTexts = { lang: null, observer: null, was: new WeakMap() });

  // A typed date applies on Enter: Streamlit commits a typed date when its calendar closes, which Escape
  // does, so Enter in a date field's segment closes it the same way (the calendar's own Enter, on a day,
  // is left alone). Installed once per tab, in either language.
  if (!state.enter) {
    state.enter = true;
    document.addEventListener("keydown", (event) => {
      const segment = event.target instanceof Element &&
        event.target.closest('[data-testid="stDateInputField"] [role="spinbutton"]');
      if (event.key !== "Enter" || !segment || event.isComposing) return;
      event.preventDefault();
      event.stopPropagation();
      segment.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", code: "Escape", keyCode: 27, bubbles: true, cancelable: true }));
    }, true);
  }

  if (state.lang === config.lang) return;   // a rerun that mounted the script again: nothing changed
  state.lang = config.lang;
  if (state.observer) state.observer.disconnect();
  state.observer = null;

  // what we changed, keyed by text node or element, so another language puts the originals back
  function remember(node, key, before, after) {
    const was = state.was.get(node) || {};
    was[key] = { before: before, after: after };
    state.was.set(node, was);
  }

  function textNodes(el) {
    const out = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) out.push(n);
    return out;
  }

  // Put back every original this tab changed while the elements are still shown (Streamlit's React keeps
  // a text node whose virtual text did not change, so a switch to English would otherwise keep Russian).
  function restore() {
    for (const rule of config.rules) {
      for (const el of document.querySelectorAll(rule.selector)) {
        for (const node of rule.attr ? [el] : textNodes(el)) {
          const was = state.was.get(node);
          const key = rule.attr || "#text";
          if (!was || !(key in was)) continue;
          const now = rule.attr ? node.getAttribute(rule.attr) : node.nodeValue;
          if (now === was[key].after) {
            if (rule.attr) node.setAttribute(rule.attr, was[key].before);
            else node.nodeValue = was[key].before;
          }
          delete was[key];
        }
      }
    }
  }

  // exact strings first, then the templates with a field ("200MB per file"); null when not ours
  function translate(value, rule) {
    const text = value.trim();
    if (Object.prototype.hasOwnProperty.call(rule.texts, text)) return value.replace(text, rule.texts[text]);
    if (rule.attr && rule.prefixed) {   // a toolbar's aria-label with its element's name: "Search: Regions"
      const cut = text.indexOf(": ");
      const head = cut > 0 ? text.slice(0, cut) : null;
      if (head && Object.prototype.hasOwnProperty.call(rule.texts, head)) return rule.texts[head] + text.slice(cut);
    }
    for (const p of rule.patterns) {
      const m = new RegExp(p.regex).exec(text);
      if (m) return value.replace(text, p.to.replace("{size}", size(m[1])));
    }
    return null;
  }

  function size(text) {   // "200MB" -> "200 МБ", "1.5GB" -> "1,5 ГБ"
    const m = /^([\d.]+)\s*([KMGT]?B)$/.exec(text);
    if (!m) return text;
    return m[1].replace(".", config.decimal) + "\u00a0" + (config.units[m[2]] || m[2]);
  }

  function apply() {
    for (const rule of config.rules) {
      for (const el of document.querySelectorAll(rule.selector)) {
        if (rule.attr) {
          const now = el.getAttribute(rule.attr);
          const to = now && translate(now, rule);
          if (to !== null && to !== undefined && to !== now) {
            remember(el, rule.attr, now, to);
            el.setAttribute(rule.attr, to);
          }
          continue;
        }
        for (const node of textNodes(el)) {
          const to = node.nodeValue && translate(node.nodeValue, rule);
          if (to !== null && to !== undefined && to !== node.nodeValue) {
            remember(node, "#text", node.nodeValue, to);
            node.nodeValue = to;
          }
        }
      }
    }
  }

  restore();
  if (!config.rules.some((rule) => Object.keys(rule.texts).length || rule.patterns.length)) return;   // English
  apply();
  // before the next paint, so an English text never shows; our own changes find nothing left to do
  state.observer = new MutationObserver(apply);
  state.observer.observe(document.body, { subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ["aria-label", "data-title", "data-placeholder"] });
})(/*CONFIG*/null);
