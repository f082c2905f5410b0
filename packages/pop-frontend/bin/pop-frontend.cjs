#!/usr/bin/env node
// The pop-frontend command: the bundle that scripts/build.mjs makes from src/bin.ts.
require('../dist/pop-frontend.cjs')
