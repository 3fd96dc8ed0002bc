#!/usr/bin/env node
// The CLI is TypeScript run through tsx (as every app here), so `npx conjugate` needs no build step.
require('tsx/cjs');
require('../src/main.ts');
