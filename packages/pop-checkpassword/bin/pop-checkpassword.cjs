#!/usr/bin/env node
// The pop-checkpassword command: the bundle that scripts/build.mjs makes from src/bin.ts.
require('../dist/pop-checkpassword.cjs')
