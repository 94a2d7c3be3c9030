import { test } from 'vitest';
import { loadConfig } from '../src/nginx/load.js';
test('x', () => { const c = loadConfig('/work/shared/corpus/lua-nginx-module/132-lua-blocks/014.conf'); console.log(c.diagnostics, c.rootContext, c.root.map(d=>d.name)); });
