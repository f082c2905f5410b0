#!/usr/bin/env node
import { runMain } from '../../pop-lib/src/run.js'
import { main } from './main.js'

runMain('pop-tls', main)
