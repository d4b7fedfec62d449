#!/usr/bin/env node
// The compiled command: dist/ is written by `npm run build` (which `npm install` runs). To run the
// TypeScript sources instead, without building: node --conditions=@ovo-tokenize/source --import tsx packages/gateway/src/cli/main.ts
import '../dist/cli/main.js';
