#!/usr/bin/env node
// The project runs its TypeScript directly through tsx: no build step between a change and a run.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
