#!/usr/bin/env node
// The pop-maildir command: the bundle that scripts/build.mjs makes from src/bin.ts.
import '../dist/pop-maildir.mjs'
