"""App-side helpers shared by pages: warehouse access (db), formatting (fmt), translations (i18n)."""
