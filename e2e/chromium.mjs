// Debian's Chromium as every test and bench launches it: the flags DESIGN.md lists (this machine
// has no GPU and no outside network). Plain JS so that the .mjs bench scripts can import it too.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
