#!/usr/bin/env node
// The pop-maildir command: the bundle that scripts/build.mjs makes from src/bin.ts.
require('../dist/pop-maildir.cjs')
