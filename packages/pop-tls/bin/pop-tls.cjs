#!/usr/bin/env node
// The pop-tls command: the bundle that scripts/build.mjs makes from src/bin.ts.
require('../dist/pop-tls.cjs')
