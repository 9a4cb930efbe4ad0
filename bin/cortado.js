#!/usr/bin/env node
// The one entry point for `npm start` and `npx cortado`: runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
