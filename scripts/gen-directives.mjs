#!/usr/bin/env node
// Builds src/nginx/directives-data.ts from @nginx/reference-lib at build time, so that conftune's
// startup never loads the 1.7 MB reference package. Usage: node scripts/gen-directives.mjs [--check]
//
// Each directive becomes one line: `name form form…`, a form being `<contexts>.<type>.<module>`:
//   contexts — bit set of CONTEXT_BITS (hex), from the reference's context names and the module family
//   type     — nginx's own ngx_command_t argument bits (NGX_CONF_NOARGS … NGX_CONF_2MORE, BLOCK), hex
//   module   — index into the module list
// The argument bits are derived from the syntax strings; where the syntax text cannot say what
// nginx's source says (optional groups nginx counts differently, `if (…)`), src/nginx/directives.ts
// applies a hand-checked correction table on top.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outPath = join(root, 'src/nginx/directives-data.ts');

// Must stay in sync with CONTEXT_BITS in src/nginx/directives.ts (a unit test checks it).
export const CONTEXT_BITS = {
  main: 1 << 0,
  events: 1 << 1,
  http: 1 << 2,
  server: 1 << 3,
  location: 1 << 4,
  sif: 1 << 5,
  lif: 1 << 6,
  limit_except: 1 << 7,
  upstream: 1 << 8,
  mail: 1 << 9,
  mail_server: 1 << 10,
  stream: 1 << 11,
  stream_server: 1 << 12,
  stream_upstream: 1 << 13,
  acme_issuer: 1 << 14,
  oidc_provider: 1 << 15,
  mgmt: 1 << 16,
  any: 1 << 17,
};

// nginx's argument bits (src/core/ngx_conf_file.h).
export const CONF = {
  NOARGS: 0x1,
  TAKE: [0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80], // index = argument count
  BLOCK: 0x100,
  FLAG: 0x200,
  ANY: 0x400,
  MORE1: 0x800,
  MORE2: 0x1000,
};

/** Context bits of one reference context name, given the module family (http/stream/mail/core). */
function contextBits(name, family) {
  const C = CONTEXT_BITS;
  switch (name) {
    case '':
      return C.any; // `include` may appear anywhere
    case 'main':
      return C.main;
    case 'events':
      return C.events;
    case 'http':
      return C.http;
    case 'mail':
      return C.mail;
    case 'stream':
      return C.stream;
    case 'server':
      if (family === 'stream') return C.stream_server;
      if (family === 'mail') return C.mail_server;
      // Core entries (`error_log`) stand for the http, mail and stream modules' versions alike.
      return family === 'core' ? C.server | C.mail_server | C.stream_server : C.server;
    case 'upstream':
      return family === 'stream' ? C.stream_upstream : C.upstream;
    case 'location':
      return C.location;
    case 'if in location':
      return C.lif;
    case 'if':
      // The rewrite module's `if` context means both server-level and location-level ifs.
      return C.sif | C.lif;
    case 'limit_except':
      return C.limit_except;
    case 'acme_issuer':
      return C.acme_issuer;
    case 'oidc_provider':
      return C.oidc_provider;
    case 'mgmt':
      return C.mgmt;
    default:
      throw new Error(`unmapped reference context "${name}"`);
  }
}

function familyOf(module) {
  if (module.startsWith('ngx_stream_')) return 'stream';
  if (module.startsWith('ngx_mail_')) return 'mail';
  if (module.startsWith('ngx_http_')) return 'http';
  return 'core';
}

// ---- syntax strings → argument counts ----------------------------------------------------------

const MANY = 9; // "9 or more": beyond nginx's NGX_CONF_MAX_ARGS (8 words incl. the name)

/** Tokens: {t:'atom'|'['|']'|'|'|'...'|'block', space:boolean, lit?:string}. */
function tokenize(html) {
  const text = html
    .replace(/<\/?p>/g, '')
    .replace(/\n/g, ' ')
    .replace(/<em><code>(.*?)<\/code><\/em>/g, '\u0001P$1\u0002')
    .replace(/<code>(.*?)<\/code>/g, '\u0001L$1\u0002')
    .replace(/&hellip;/g, '...')
    .replace(/&lsquo;|&rsquo;/g, "'")
    .replace(/&amp;/g, '&');
  const tokens = [];
  let space = true;
  for (let i = 0; i < text.length; ) {
    const ch = text[i];
    if (ch === ' ' || ch === '\t') {
      space = true;
      i++;
      continue;
    }
    if (ch === '\u0001') {
      const end = text.indexOf('\u0002', i);
      const kind = text[i + 1];
      const value = text.slice(i + 2, end);
      if (kind === 'L' && value === '{...}') tokens.push({ t: 'block', space });
      else if (kind === 'L' && value === '...') tokens.push({ t: '...', space });
      else {
        tokens.push({ t: 'atom', space, lit: kind === 'L' ? value : undefined });
        // `[parameters]` names a list (upstream `server address [parameters]`): it repeats.
        if (kind === 'P' && /parameters$/.test(value)) tokens.push({ t: '...', space: true });
      }
      i = end + 1;
    } else if (text.startsWith('...', i)) {
      tokens.push({ t: '...', space });
      i += 3;
    } else if (ch === '[' || ch === ']' || ch === '|') {
      tokens.push({ t: ch, space });
      i++;
    } else {
      // Punctuation glued to words (`=`, `:`, `(`, `)`): part of the current word.
      tokens.push({ t: 'atom', space, punct: true });
      i++;
    }
    space = false;
  }
  return tokens;
}

/** Parse into alternatives of sequences; a sequence item is an atom, an optional group or `...`. */
function parseAlt(tokens, pos) {
  const branches = [];
  let seq = [];
  while (pos.i < tokens.length) {
    const tok = tokens[pos.i];
    if (tok.t === ']') break;
    pos.i++;
    if (tok.t === '|') {
      branches.push(seq);
      seq = [];
    } else if (tok.t === '[') {
      const inner = parseAlt(tokens, pos);
      if (tokens[pos.i]?.t === ']') pos.i++;
      seq.push({ t: 'opt', space: tok.space, alt: inner });
    } else {
      seq.push(tok);
    }
  }
  branches.push(seq);
  return branches;
}

const addSets = (a, b) => {
  const out = new Set();
  for (const x of a) for (const y of b) out.add(Math.min(MANY, x + y));
  return out;
};

/** Possible word counts of a sequence; `newWord`: whether its first item starts a word. */
function seqCounts(seq, newWord) {
  let counts = new Set([0]);
  let lastWord = null; // counts contributed by the last word-starting item (for `...`)
  seq.forEach((item, idx) => {
    const starts = idx === 0 ? newWord : item.space;
    if (item.t === 'atom') {
      if (starts) {
        counts = addSets(counts, new Set([1]));
        lastWord = new Set([1]);
      }
    } else if (item.t === 'opt') {
      const inner = altCounts(item.alt, starts);
      inner.add(0);
      counts = addSets(counts, inner);
      if (starts) lastWord = inner;
    } else if (item.t === '...') {
      // `x ...`: x repeats; as words, anything from one more x upwards is possible.
      if (lastWord && [...lastWord].some((n) => n > 0)) {
        const min = Math.min(...counts);
        for (let n = min; n <= MANY; n++) counts.add(n);
      }
    }
  });
  return counts;
}

function altCounts(branches, newWord) {
  const out = new Set();
  for (const seq of branches) for (const n of seqCounts(seq, newWord)) out.add(n);
  return out;
}

/** nginx argument bits for one directive, from all its syntax variants. */
export function deriveType(syntaxes, isBlock) {
  let counts = new Set();
  let flag = syntaxes.length > 0;
  for (const s of syntaxes) {
    const tokens = tokenize(s);
    const items = tokens.filter((t) => t.t !== 'block');
    const lits = items.map((t) => (t.t === 'atom' ? t.lit : t.t));
    if (!(lits.length === 3 && lits[0] === 'on' && lits[1] === '|' && lits[2] === 'off')) flag = false;
    for (const n of altCounts(parseAlt(items, { i: 0 }), true)) counts.add(n);
  }
  if (syntaxes.length === 0 || syntaxes.every((s) => s.trim() === '')) counts = new Set([0]);
  let type = isBlock ? CONF.BLOCK : 0;
  if (flag) return type | CONF.FLAG;
  const min = Math.min(...counts);
  // A list of optional words (`ssl_protocols [SSLv2] [SSLv3] …`) is nginx's 1MORE, not "0 to 6".
  const listOfOptionals = min === 0 && Math.max(...counts) >= 3;
  if (counts.has(MANY) || Math.max(...counts) > 7 || listOfOptionals) {
    return type | (min >= 2 ? CONF.MORE2 : CONF.MORE1);
  }
  for (const n of counts) type |= CONF.TAKE[n];
  return type;
}

// ---- generation -----------------------------------------------------------------------------

async function main() {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('@nginx/reference-lib/package.json');
  const version = JSON.parse(readFileSync(pkgPath, 'utf8')).version;
  const ref = await import('@nginx/reference-lib');
  const directives = ref.getDirectives();

  const modules = [...new Set(directives.map((d) => d.module))].sort();
  const byName = new Map();
  for (const d of directives) {
    const family = familyOf(d.module);
    let ctx = 0;
    for (const c of d.contexts) ctx |= contextBits(c, family);
    const type = deriveType(d.syntax, d.isBlock);
    const form = `${ctx.toString(16)}.${type.toString(16)}.${modules.indexOf(d.module).toString(36)}`;
    if (!byName.has(d.name)) byName.set(d.name, []);
    byName.get(d.name).push(form);
  }
  const lines = [...byName.keys()].sort().map((name) => `${name} ${byName.get(name).join(' ')}`);

  const out =
    `// GENERATED by scripts/gen-directives.mjs from @nginx/reference-lib ${version}. Do not edit;\n` +
    `// run \`node scripts/gen-directives.mjs\` after upgrading the package.\n` +
    `// Format: one directive per line, \`name form…\`, form = \`<context bits hex>.<nginx arg bits hex>.<module index base36>\`.\n\n` +
    `export const REFERENCE_LIB_VERSION = ${JSON.stringify(version)};\n\n` +
    `export const REFERENCE_MODULES: readonly string[] = ${JSON.stringify(modules)};\n\n` +
    `export const REFERENCE_DIRECTIVES =\n  ${JSON.stringify(lines.join('\n'))};\n`;

  if (process.argv.includes('--check')) {
    const current = readFileSync(outPath, 'utf8');
    if (current !== out) {
      console.error('src/nginx/directives-data.ts is stale: run node scripts/gen-directives.mjs');
      process.exit(1);
    }
    return;
  }
  writeFileSync(outPath, out);
  console.log(`wrote ${outPath}: ${lines.length} directives, ${modules.length} modules (reference-lib ${version})`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
