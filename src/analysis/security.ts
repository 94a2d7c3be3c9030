// Shared facts for the security rules: where regexes appear, `if` conditions, nginx variable
// scripts (`http://$host$1`), and what a variable can hold (user-controlled? may it contain CR/LF
// or a dot? does it always start with a slash?).

import type { Arg, Directive, NginxConfig } from '../nginx/tree.js';
import { childrenNamed, enclosing, findAll, firstChild, walk } from '../nginx/tree.js';
import type { CharSet, ParsedRegex } from './regex.js';
import { emptySet, fullSet, groupChars, hasChar, parseRegex, unionSets } from './regex.js';

// ---- regex sites ---------------------------------------------------------------------------------

export interface RegexSite {
  /** The directive holding the regex (for map entries: the entry line). */
  node: Directive;
  arg: Arg;
  pattern: string;
  caseInsensitive: boolean;
  kind: 'location' | 'if' | 'map' | 'rewrite' | 'server_name' | 'valid_referers' | 'fastcgi_split_path_info' | 'proxy_redirect' | 'proxy_cookie';
  /** Offset of the pattern inside the argument's source text (after a leading `~`/`~*`). */
  prefixLength: number;
  /** What the regex is matched against, when known (`$uri`, an `if` variable, a map source). */
  subject: string | null;
}

export interface LocationRegex {
  arg: Arg;
  pattern: string;
  caseInsensitive: boolean;
  prefixLength: number;
}

// Rules ask the same questions of the same (immutable) nodes thousands of times on big configs:
// the answers below are kept per node (results are never mutated by callers).
const locationRegexCache = new WeakMap<Directive, LocationRegex | null>();
const ifConditionCache = new WeakMap<Directive, IfCondition | null>();

/** `location ~ re`, `location ~* re` or `location ~re`: the regex part, if any. */
export function locationRegex(loc: Directive): LocationRegex | null {
  let r = locationRegexCache.get(loc);
  if (r === undefined) locationRegexCache.set(loc, (r = readLocationRegex(loc)));
  return r;
}

function readLocationRegex(loc: Directive): LocationRegex | null {
  // Most locations are prefixes: their Arg objects are built only for a regex.
  const v0 = loc.argValue(0);
  if (v0 === undefined) return null;
  if ((v0 === '~' || v0 === '~*') && loc.argc > 1) {
    const arg = loc.args[1]!;
    return { arg, pattern: arg.value, caseInsensitive: v0 === '~*', prefixLength: 0 };
  }
  if (v0.startsWith('~') && v0.length > 1) {
    const ci = v0.startsWith('~*');
    const len = ci ? 2 : 1;
    return { arg: loc.args[0]!, pattern: v0.slice(len), caseInsensitive: ci, prefixLength: len };
  }
  return null;
}

export interface IfCondition {
  /** The tested variable (`$http_origin`), or the whole operand for `if ($x)`. */
  variable: string;
  operator: string | null;
  operand: string | null;
  operandArg: Arg | null;
}

/** Reads `if (...)` arguments, which nginx's lexer leaves with the parentheses glued on. */
export function ifCondition(d: Directive): IfCondition | null {
  if (d.name !== 'if') return null;
  let c = ifConditionCache.get(d);
  if (c === undefined) ifConditionCache.set(d, (c = readIfCondition(d)));
  return c;
}

function readIfCondition(d: Directive): IfCondition | null {
  if (d.args.length === 0) return null;
  const vals = d.args.map((a) => a.value);
  const first = vals[0]!.startsWith('(') ? vals[0]!.slice(1) : vals[0]!;
  const parts: Array<{ value: string; arg: Arg }> = [];
  if (first !== '') parts.push({ value: first, arg: d.args[0]! });
  for (let i = 1; i < d.args.length; i++) parts.push({ value: vals[i]!, arg: d.args[i]! });
  const last = parts[parts.length - 1];
  if (last) {
    if (last.value === ')') parts.pop();
    else if (last.arg.quote === null && last.value.endsWith(')')) parts[parts.length - 1] = { value: last.value.slice(0, -1), arg: last.arg };
  }
  if (parts.length === 0) return null;
  if (parts.length === 1) return { variable: parts[0]!.value, operator: null, operand: null, operandArg: null };
  return { variable: parts[0]!.value, operator: parts[1]!.value, operand: parts[2]?.value ?? null, operandArg: parts[2]?.arg ?? null };
}

export function isRegexOperator(op: string | null): boolean {
  return op === '~' || op === '~*' || op === '!~' || op === '!~*';
}

const MAP_SPECIAL = new Set(['default', 'hostnames', 'include', 'volatile']);

// Five rules ask for the regex sites of the same (immutable) tree: computed once per top-level array.
const regexSiteCache = new WeakMap<Directive[], RegexSite[]>();

/** Every regex in the configuration, with where it sits and what it is matched against. */
export function regexSites(config: NginxConfig): RegexSite[] {
  let cached = regexSiteCache.get(config.root);
  if (!cached) regexSiteCache.set(config.root, (cached = collectRegexSites(config)));
  return cached.slice();
}

function collectRegexSites(config: NginxConfig): RegexSite[] {
  const out: RegexSite[] = [];
  walk(config.root, (d) => {
    if (d.name === 'location') {
      const r = locationRegex(d);
      if (r) out.push({ node: d, arg: r.arg, pattern: r.pattern, caseInsensitive: r.caseInsensitive, kind: 'location', prefixLength: r.prefixLength, subject: '$uri' });
    } else if (d.name === 'if') {
      const c = ifCondition(d);
      if (c && isRegexOperator(c.operator) && c.operand !== null && c.operandArg) {
        out.push({ node: d, arg: c.operandArg, pattern: c.operand, caseInsensitive: c.operator!.endsWith('*'), kind: 'if', prefixLength: 0, subject: c.variable });
      }
    } else if (d.name === 'rewrite' && d.args[0]) {
      out.push({ node: d, arg: d.args[0], pattern: d.args[0].value, caseInsensitive: false, kind: 'rewrite', prefixLength: 0, subject: '$uri' });
    } else if ((d.name === 'server_name' || d.name === 'valid_referers') && d.parent?.name !== 'map') {
      for (let i = 0; i < d.argc; i++) {
        const v = d.argValue(i)!;
        if (v.startsWith('~') && v.length > 1) {
          const a = d.args[i]!;
          out.push({ node: d, arg: a, pattern: a.value.slice(1), caseInsensitive: d.name === 'server_name', kind: d.name, prefixLength: 1, subject: d.name === 'server_name' ? '$host' : '$http_referer' });
        }
      }
    } else if (d.name === 'fastcgi_split_path_info' && d.args[0]) {
      out.push({ node: d, arg: d.args[0], pattern: d.args[0].value, caseInsensitive: false, kind: 'fastcgi_split_path_info', prefixLength: 0, subject: '$uri' });
    } else if ((d.name === 'proxy_redirect' || d.name === 'proxy_cookie_path' || d.name === 'proxy_cookie_domain') && d.args[0]?.value.startsWith('~')) {
      const v = d.args[0].value;
      const ci = v.startsWith('~*');
      const len = ci ? 2 : 1;
      out.push({ node: d, arg: d.args[0], pattern: v.slice(len), caseInsensitive: ci || d.name !== 'proxy_redirect', kind: d.name === 'proxy_redirect' ? 'proxy_redirect' : 'proxy_cookie', prefixLength: len, subject: null });
    } else if (d.parent?.name === 'map' && d.parent.block && !MAP_SPECIAL.has(d.name)) {
      const key = d.name;
      if (key.startsWith('~') && key.length > 1) {
        const ci = key.startsWith('~*');
        const len = ci ? 2 : 1;
        // The key is the directive's name: point at it with a synthetic argument.
        const arg: Arg = { value: key, quote: null, start: d.start, end: d.start + key.length, line: d.line, column: d.column };
        if (d.file.text[d.start] === '"' || d.file.text[d.start] === "'") arg.end = d.start + key.length + 2;
        out.push({ node: d, arg, pattern: key.slice(len), caseInsensitive: ci, kind: 'map', prefixLength: len, subject: d.parent.args[0]?.value ?? null });
      }
    }
    return undefined;
  });
  return out;
}

// ---- variable scripts -------------------------------------------------------------------------

export type ScriptPart = { lit: string } | { v: string };

// Values repeat a lot (`$host`, `$remote_addr`…): scripts are kept by value, boundedly.
const scriptCache = new Map<string, ScriptPart[]>();
const SCRIPT_CACHE_MAX = 4096;

/**
 * Splits an nginx value with variables (`http://$host${x}y$1`) into literal and variable parts.
 * The result is shared: never mutate it.
 */
export function parseScript(value: string): ScriptPart[] {
  let parts = scriptCache.get(value);
  if (parts) return parts;
  parts = readScript(value);
  if (scriptCache.size >= SCRIPT_CACHE_MAX) scriptCache.clear();
  scriptCache.set(value, parts);
  return parts;
}

function readScript(value: string): ScriptPart[] {
  const out: ScriptPart[] = [];
  let lit = '';
  let i = 0;
  while (i < value.length) {
    const c = value[i]!;
    if (c === '$') {
      let m: RegExpExecArray | null;
      const rest = value.slice(i + 1, i + 80);
      if ((m = /^\{([A-Za-z0-9_]+)\}/.exec(rest))) {
        if (lit) out.push({ lit });
        lit = '';
        out.push({ v: m[1]! });
        i += 1 + m[0].length;
        continue;
      }
      if ((m = /^[0-9]/.exec(rest)) || (m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) {
        if (lit) out.push({ lit });
        lit = '';
        out.push({ v: m[0] });
        i += 1 + m[0].length;
        continue;
      }
    }
    lit += c;
    i++;
  }
  if (lit) out.push({ lit });
  return out;
}

export interface VarInfo {
  /** The client can influence the value. */
  user: boolean;
  /** Characters the value may contain. */
  chars: CharSet;
  /** Always begins with `/` (so it is a path, never a host). */
  slashStart: boolean;
  /** Whether anything is known about the variable (unknown ones are never reported). */
  known: boolean;
}

const ANY = fullSet();
const NO_CRLF = (() => {
  const s = fullSet();
  s.bits[0]! &= ~((1 << 10) | (1 << 13));
  return s;
})();

function info(user: boolean, chars: CharSet, slashStart = false): VarInfo {
  return { user, chars, slashStart, known: true };
}

/** Built-in variables: what a client can put in them. */
function builtinInfo(name: string): VarInfo | null {
  const n = name.toLowerCase();
  // Decoded and normalised URI: %0d%0a becomes CR LF.
  if (n === 'uri' || n === 'document_uri' || n === 'fastcgi_path_info' || n === 'fastcgi_script_name') return info(true, ANY, n !== 'fastcgi_path_info');
  if (n === 'request_uri') return info(true, NO_CRLF, true);
  if (n === 'args' || n === 'query_string' || n === 'request_body' || n === 'request' || n === 'is_args') return info(n !== 'is_args', NO_CRLF);
  if (n.startsWith('arg_') || n.startsWith('http_') || n.startsWith('cookie_')) return info(true, NO_CRLF);
  if (n === 'request_filename' || n === 'realpath_root' || n === 'document_root') return info(false, NO_CRLF, true);
  return null;
}

interface NamedCapture {
  regex: ParsedRegex;
  subject: string | null;
}

const NO_NAMED_CAPTURES: ReadonlyMap<string, NamedCapture> = new Map();

interface Definition {
  script: ScriptPart[];
  at: Directive;
}

const varModels = new WeakMap<Directive[], VarModel>();

/**
 * The variable model of a parsed tree, shared by every rule that asks (its caches — parsed
 * regexes, place-free answers — are pure memos, so sharing them changes no answer).
 */
export function varModelOf(config: NginxConfig): VarModel {
  let model = varModels.get(config.root);
  if (!model) varModels.set(config.root, (model = new VarModel(config)));
  return model;
}

/** Answers "what can `$name` hold here?" by following `set`, `map` and regex captures. */
export class VarModel {
  private sets = new Map<string, Definition[]>();
  private maps = new Map<string, Directive>();
  private regexCache = new Map<string, ParsedRegex>();
  /** varInfo answers for names that no capture shadows, at depth 0 (they don't depend on the place). */
  private placeFree = new Map<string, VarInfo>();
  private namedScopes = new Map<Directive, ReadonlyMap<string, NamedCapture>>();

  constructor(private readonly config: NginxConfig) {
    // Both lists come in tree order, as a walk would see them (later maps win).
    for (const d of findAll(config, 'set')) {
      if (d.args.length < 2) continue;
      const name = d.args[0]!.value.replace(/^\$/, '').toLowerCase();
      const list = this.sets.get(name) ?? [];
      list.push({ script: parseScript(d.args[1]!.value), at: d });
      this.sets.set(name, list);
    }
    for (const d of findAll(config, 'map')) {
      if (d.block && d.args[1]) this.maps.set(d.args[1].value.replace(/^\$/, '').toLowerCase(), d);
    }
  }

  regex(pattern: string, ci: boolean): ParsedRegex {
    const key = `${ci ? 'i' : 'c'}:${pattern}`;
    let r = this.regexCache.get(key);
    if (!r) {
      r = parseRegex(pattern, ci);
      this.regexCache.set(key, r);
    }
    return r;
  }

  /** `set $name …` directives, if the variable is set. */
  setDefinitions(name: string): Definition[] {
    return this.sets.get(name.toLowerCase()) ?? [];
  }

  mapOf(name: string): Directive | undefined {
    return this.maps.get(name.toLowerCase());
  }

  /** The regex whose numbered captures `$1…$9` refer to at `at`. */
  captureSource(at: Directive): { regex: ParsedRegex; subject: string | null; escaped: boolean; node: Directive } | null {
    // A `rewrite` earlier in the same block sets the captures (nginx escapes them in its own replacement).
    const siblings = at.parent?.block ?? this.config.root;
    const idx = siblings.indexOf(at);
    for (let i = idx - 1; i >= 0; i--) {
      const s = siblings[i]!;
      if (s.name === 'rewrite' && s.args[0]) return { regex: this.regex(s.args[0].value, false), subject: '$uri', escaped: false, node: s };
    }
    for (let p = at.parent; p; p = p.parent) {
      if (p.name === 'if') {
        const c = ifCondition(p);
        if (c && isRegexOperator(c.operator) && !c.operator!.startsWith('!') && c.operand !== null) {
          return { regex: this.regex(c.operand, c.operator!.endsWith('*')), subject: c.variable, escaped: false, node: p };
        }
      } else if (p.name === 'location') {
        const r = locationRegex(p);
        if (r) return { regex: this.regex(r.pattern, r.caseInsensitive), subject: '$uri', escaped: false, node: p };
        return null;
      }
    }
    return null;
  }

  /** The regex defining the named capture `name` visible at `at`. */
  private namedCapture(name: string, at: Directive): NamedCapture | null {
    return this.namedCapturesIn(at.parent).get(name) ?? null;
  }

  /**
   * Named captures visible inside block `p`, the innermost regex winning. Every variable use asks
   * this, and thousands of uses share a few blocks: one answer per block, and blocks whose regex
   * names nothing share their parent's map.
   */
  private namedCapturesIn(p: Directive | null): ReadonlyMap<string, NamedCapture> {
    if (!p) return NO_NAMED_CAPTURES;
    let scope = this.namedScopes.get(p);
    if (scope) return scope;
    scope = this.namedCapturesIn(p.parent);
    const own = this.blockRegex(p);
    if (own && own.regex.names.size > 0) {
      const merged = new Map(scope);
      for (const n of own.regex.names.keys()) merged.set(n, own);
      scope = merged;
    }
    this.namedScopes.set(p, scope);
    return scope;
  }

  /** The regex an `if` (any regex operator) or a regex `location` matches, with its subject. */
  private blockRegex(p: Directive): NamedCapture | null {
    if (p.name === 'if') {
      const c = ifCondition(p);
      if (c && isRegexOperator(c.operator) && c.operand !== null) return { regex: this.regex(c.operand, c.operator!.endsWith('*')), subject: c.variable };
    } else if (p.name === 'location') {
      const lr = locationRegex(p);
      if (lr) return { regex: this.regex(lr.pattern, lr.caseInsensitive), subject: '$uri' };
    }
    return null;
  }

  /** What `$name` can hold when used at `at`. */
  varInfo(name: string, at: Directive, depth = 0): VarInfo {
    if (depth > 8) return unknownInfo();
    if (/^[0-9]$/.test(name)) {
      const src = this.captureSource(at);
      if (!src) return unknownInfo();
      const chars = groupChars(src.regex, Number(name));
      if (!chars) return unknownInfo();
      const subject = src.subject ? this.scriptInfo(parseScript(src.subject), src.node, depth + 1) : info(true, ANY);
      return this.captureInfo(chars, subject, src.escaped);
    }
    const named = this.namedCapture(name, at);
    if (named) {
      const chars = groupChars(named.regex, named.regex.names.get(name)!)!;
      const subject = named.subject ? this.scriptInfo(parseScript(named.subject), at, depth + 1) : info(true, ANY);
      return this.captureInfo(chars, subject, false);
    }
    // Past captures the answer depends on the name only (set/map/builtin), and rules ask per use:
    // top-level answers are kept (VarInfo objects are never mutated).
    if (depth > 0) return this.namedInfo(name, depth);
    let known = this.placeFree.get(name);
    if (!known) this.placeFree.set(name, (known = this.namedInfo(name, 0)));
    return known;
  }

  /** What a variable that is no regex capture can hold: from `set`, a `map`, or nginx itself. */
  private namedInfo(name: string, depth: number): VarInfo {
    const unknown: VarInfo = { user: false, chars: emptySet(), slashStart: false, known: false };
    const defs = this.setDefinitions(name);
    if (defs.length > 0) {
      return this.union(defs.map((d) => this.scriptInfo(d.script, d.at, depth + 1)));
    }
    const map = this.mapOf(name);
    if (map) return this.mapInfo(map, depth);
    return builtinInfo(name) ?? unknown;
  }

  private captureInfo(groupSet: CharSet, subject: VarInfo, escaped: boolean): VarInfo {
    const chars = emptySet();
    for (let i = 0; i < 8; i++) chars.bits[i] = groupSet.bits[i]! & subject.chars.bits[i]!;
    chars.high = groupSet.high && subject.chars.high;
    if (escaped) {
      chars.bits[0]! &= ~((1 << 10) | (1 << 13));
    }
    return info(subject.user, chars);
  }

  /** A map's output: the union of its values; captures of regex keys hold what their group allows. */
  mapInfo(map: Directive, depth: number): VarInfo {
    const infos: VarInfo[] = [];
    for (const entry of map.block ?? []) {
      if (entry.name === 'hostnames' || entry.name === 'volatile' || entry.name === 'include') continue;
      const value = entry.args[0]?.value;
      if (value === undefined) continue;
      const script = parseScript(value);
      const key = entry.name;
      const keyRegex = key.startsWith('~') ? this.regex(key.slice(key.startsWith('~*') ? 2 : 1), key.startsWith('~*')) : null;
      const parts: VarInfo[] = [];
      for (const p of script) {
        if ('lit' in p) parts.push(literalInfo(p.lit));
        else if (keyRegex && /^[0-9]$/.test(p.v)) {
          // The map's source may be any composite string: only the group limits the capture.
          const chars = groupChars(keyRegex, Number(p.v));
          parts.push(chars ? info(true, chars) : literalInfo(''));
        } else if (keyRegex && keyRegex.names.has(p.v)) {
          parts.push(info(true, groupChars(keyRegex, keyRegex.names.get(p.v)!)!));
        } else parts.push(this.varInfo(p.v, map, depth + 1));
      }
      infos.push(this.concat(parts));
    }
    return this.union(infos);
  }

  /** What a whole script can hold. */
  scriptInfo(script: ScriptPart[], at: Directive, depth = 0): VarInfo {
    return this.concat(script.map((p) => ('lit' in p ? literalInfo(p.lit) : this.varInfo(p.v, at, depth))));
  }

  private concat(parts: VarInfo[]): VarInfo {
    let chars = emptySet();
    let user = false;
    let known = parts.length === 0;
    for (const p of parts) {
      chars = unionSets(chars, p.chars);
      user ||= p.user;
      known ||= p.known;
    }
    const first = parts[0];
    return { user, chars, slashStart: first ? first.slashStart : false, known };
  }

  private union(infos: VarInfo[]): VarInfo {
    if (infos.length === 0) return { user: false, chars: emptySet(), slashStart: false, known: false };
    let chars = emptySet();
    for (const i of infos) chars = unionSets(chars, i.chars);
    return { user: infos.some((i) => i.user), chars, slashStart: infos.every((i) => i.slashStart), known: infos.some((i) => i.known) };
  }

  /**
   * Expands `set` variables with one definition inline (so `set $u "http://x$request_uri"; proxy_pass $u;`
   * reads as the literal script), keeping other variables as leaves.
   */
  expand(script: ScriptPart[], at: Directive, depth = 0): Array<{ lit: string } | { v: string; at: Directive }> {
    const out: Array<{ lit: string } | { v: string; at: Directive }> = [];
    for (const p of script) {
      if ('lit' in p) {
        out.push(p);
        continue;
      }
      const defs = /^[0-9]$/.test(p.v) ? [] : this.setDefinitions(p.v);
      if (defs.length === 1 && depth < 8 && !this.namedCaptureVisible(p.v, at)) {
        out.push(...this.expand(defs[0]!.script, defs[0]!.at, depth + 1));
      } else out.push({ v: p.v, at });
    }
    return out;
  }

  /** Whether a named regex capture `name` is visible at `at` (it then shadows set/map/builtins). */
  hasNamedCapture(name: string, at: Directive): boolean {
    return this.namedCapture(name, at) !== null;
  }

  private namedCaptureVisible(name: string, at: Directive): boolean {
    return this.namedCapture(name, at) !== null;
  }
}

function unknownInfo(): VarInfo {
  return { user: false, chars: emptySet(), slashStart: false, known: false };
}

function literalInfo(text: string): VarInfo {
  const chars = emptySet();
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (c > 255) chars.high = true;
    else chars.bits[c >> 5]! |= 1 << (c & 31);
  }
  return { user: false, chars, slashStart: text.startsWith('/'), known: true };
}

export function canContain(i: VarInfo, ch: string): boolean {
  return hasChar(i.chars, ch);
}

// ---- small helpers -----------------------------------------------------------------------------

/** `listen` parameters of a server, flattened. */
export function listens(server: Directive): Directive[] {
  return childrenNamed(server.block, 'listen');
}

/** A server that terminates TLS (a listen with `ssl`, `quic` or `http3`). */
export function isTlsServer(server: Directive): boolean {
  return listens(server).some((l) => l.args.some((a) => a.value === 'ssl' || a.value === 'quic' || a.value === 'http3'));
}

/** Nearest value of `name` from `at` outward (own block first, then enclosing blocks, then the top level). */
export function inScope(config: NginxConfig, at: Directive, name: string): Directive | undefined {
  for (let p: Directive | null = at; p; p = p.parent) {
    const hit = firstChild(p.block, name);
    if (hit) return hit;
  }
  return firstChild(config.root, name);
}

/** The enclosing `location` is `internal;` (only reachable by internal redirects). */
export function isInternal(at: Directive): boolean {
  for (let p = at.parent; p; p = p.parent) {
    if (p.name === 'location') {
      if (firstChild(p.block, 'internal')) return true;
      if (p.argValue(0)?.startsWith('@')) return true;
    }
  }
  return false;
}

/** Source range of pattern offsets [from, to) inside a regex site's argument (the whole argument when escapes shift offsets). */
export function patternRange(site: RegexSite, from: number, to: number): { file: Directive['file']; start: number; end: number } {
  const file = site.node.file;
  const raw = file.text.slice(site.arg.start, site.arg.end);
  const q = raw.startsWith('"') || raw.startsWith("'") ? 1 : 0;
  const body = raw.slice(q, raw.length - q);
  if (body.length === site.arg.value.length) {
    const base = site.arg.start + q + site.prefixLength;
    return { file, start: base + from, end: Math.max(base + from, Math.min(base + to, site.arg.end)) };
  }
  return { file, start: site.arg.start, end: site.arg.end };
}

// ---- DNS of proxied targets (missing-resolver, stale-dns-cache) ------------------------------------

export interface DnsTarget {
  /** Where to report: the *_pass directive, or the upstream `server` line. */
  node: Directive;
  host: string;
  kind: 'variable-without-resolver' | 'static-public' | 'static-internal' | 'resolve-without-resolver';
  /** A cloud load balancer / CDN name whose addresses change often. */
  cloud: boolean;
  /** The *_pass directive reaching it. */
  pass: Directive;
}

const PASS_DIRECTIVES = new Set(['proxy_pass', 'fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'grpc_pass']);
const CLOUD_SUFFIXES = ['amazonaws.com', 'cloudfront.net', 'workers.dev', 'pages.dev', 'herokuapp.com', 'azurewebsites.net', 'cloudapp.azure.com', 'trafficmanager.net', 'azureedge.net', 'appspot.com', 'run.app', 'vercel.app', 'netlify.app', 'fly.dev', 'onrender.com', 'akamaiedge.net', 'edgekey.net', 'fastly.net', 'cdn.cloudflare.net', 'googleusercontent.com'];

export function isCloudHost(host: string): boolean {
  const h = host.toLowerCase();
  return CLOUD_SUFFIXES.some((s) => h === s || h.endsWith('.' + s));
}

function hostOf(target: string): string | null {
  let rest = target.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  if (/^unix:/i.test(rest)) return null;
  rest = rest.split(/[/?#]/)[0]!;
  const v6 = /^\[([^\]]+)\]/.exec(rest);
  if (v6) return v6[1]!;
  return rest.replace(/:\d+$/, '').replace(/:$/, '');
}

function isLiteralIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || (/^[0-9a-f:.]+$/i.test(host) && host.includes(':'));
}

function isLocalhost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === 'ip6-localhost' || h.endsWith('.localhost');
}

function hasResolver(config: NginxConfig, at: Directive): boolean {
  for (let p: Directive | null = at; p; p = p.parent) if (firstChild(p.block, 'resolver')) return true;
  return firstChild(config.root, 'resolver') !== undefined;
}

// ---- variable targets: can the host carry a DNS name? --------------------------------------------

/** Built-in variables that hold an IP address (never a name to resolve). */
const IP_BUILTINS = new Set(['remote_addr', 'server_addr', 'realip_remote_addr', 'binary_remote_addr', 'proxy_protocol_addr', 'proxy_protocol_server_addr']);
/** Built-in variables that always begin with `/` (a path, never a host). */
const PATH_BUILTINS = new Set(['uri', 'document_uri', 'request_uri', 'fastcgi_script_name', 'request_filename', 'document_root', 'realpath_root']);
const BUILTIN_PREFIXES = ['http_', 'arg_', 'cookie_', 'sent_http_', 'sent_trailer_', 'upstream_', 'ssl_', 'geoip_', 'jwt_', 'proxy_protocol_', 'realip_', 'limit_', 'secure_link', 'invalid_referer', 'cache_', 'request_', 'remote_', 'server_', 'connection', 'time_', 'msec', 'pid', 'nginx_version', 'hostname', 'host', 'scheme', 'args', 'is_args', 'query_string', 'content_', 'body_bytes_sent', 'bytes_sent', 'status', 'pipe', 'https', 'http2', 'http3', 'tcpinfo_', 'date_', 'binary_remote_addr', 'proxy_host', 'proxy_port', 'proxy_add_x_forwarded_for', 'fastcgi_', 'uwsgi_', 'scgi_', 'gzip_ratio', 'spdy', 'auth_', 'modern_browser', 'ancient_browser', 'msie', 'uid_', 'mp4_'];
/** Directives other than `set`/`map` that define a variable (their value is unknown to a static reader). */
const OTHER_SETTERS = ['set_by_lua', 'set_by_lua_block', 'set_by_lua_file', 'js_set', 'perl_set', 'geo', 'split_clients', 'set_real_ip_from', 'auth_request_set', 'ssi', 'set_secure_link', 'set_escape_uri', 'set_unescape_uri', 'set_if_empty', 'set_encode_base64', 'set_decode_base64'];

const OPEN = '\u0001';
const UNDEF = '\u0002';
const ANY_IP = '\u0003';
const MAX_CANDIDATES = 64;

/** Explicit `upstream` blocks are matched by name alone; literal `*_pass host:port` targets create implicit upstreams nginx also looks up. */
function implicitUpstreams(config: NginxConfig): Set<string> {
  const out = new Set<string>();
  walk(config.root, (d) => {
    if (d.name === 'stream' || d.name === 'mail') return false;
    if (!PASS_DIRECTIVES.has(d.name) || !d.args[0]) return undefined;
    const value = d.args[0].value;
    if (value.includes('$')) return undefined;
    const hp = hostPort(value, d.name);
    if (hp && hp.port !== null) out.add(`${hp.host.toLowerCase()}:${hp.port}`);
    return undefined;
  });
  return out;
}

function hostPort(target: string, directive: string): { host: string; port: number | null; explicitPort: boolean } | null {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(target)?.[1]?.toLowerCase();
  let rest = target.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  if (/^unix:/i.test(rest)) return null;
  rest = rest.split(/[/?#]/)[0]!;
  let host = rest;
  let port: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (v6) {
    host = v6[1]!;
    port = v6[2];
  } else {
    const m = /^(.*?)(?::(\d*))?$/.exec(rest)!;
    host = m[1]!;
    port = m[2] || undefined;
  }
  const def = scheme === 'https' || scheme === 'grpcs' ? 443 : directive === 'proxy_pass' || scheme === 'http' || scheme === 'grpc' ? 80 : null;
  return { host, port: port !== undefined ? Number(port) : def, explicitPort: port !== undefined };
}

/** Whether `upstream` blocks may exist that this configuration does not show: its http level is outside it, or an include in scope was not read. */
function upstreamsOutOfView(config: NginxConfig, at: Directive): boolean {
  if (config.rootContext === 'server' || config.rootContext === 'location') return true;
  return unreadIncludeInScope(config, at);
}

function unreadIncludeInScope(config: NginxConfig, at: Directive): boolean {
  const unread = (kids: Directive[] | null): boolean =>
    (kids ?? []).some((k) => k.name === 'include' && k.args[0] !== undefined && !/[*?[]/.test(k.args[0].value) && !(k.included && k.included.length > 0));
  for (let p: Directive | null = at.parent; p; p = p.parent) if (unread(p.block)) return true;
  return unread(config.root);
}

/** Whether a resolver applies at `at`, or may (an include in scope that we could not read). */
function resolverMayApply(config: NginxConfig, at: Directive): boolean {
  if (hasResolver(config, at)) return true;
  return unreadIncludeInScope(config, at);
}

/**
 * The host a variable `*_pass` may send to that needs DNS, as text for the message (`$name` where
 * a variable decides it), or null when every possible host is an upstream, an address, a unix
 * socket, or unknowable (a variable nothing in view defines, an envsubst `${VAR}` placeholder).
 */
function variableDnsHost(config: NginxConfig, vars: VarModel, d: Directive, upstreams: Map<string, Directive>, implicit: Set<string>): string | null {
  const cands = candidates(config, vars, parseScript(d.args[0]!.value), d, 0);
  const list = cands ?? [OPEN];
  for (const c of list) {
    const after = c.indexOf('://');
    const rest = after >= 0 ? c.slice(after + 3) : c;
    if (/^unix:/i.test(rest)) continue;
    const hostPart = rest.split(/[/?#]/)[0]!;
    if (hostPart === '') {
      if (rest.startsWith(OPEN) || rest.startsWith(UNDEF)) return d.args[0]!.value;
      continue;
    }
    if (hostPart.includes(UNDEF)) continue;
    if (hostPart.includes(OPEN)) return d.args[0]!.value;
    if (hostPart.includes(ANY_IP)) continue;
    const hp = hostPort(c.slice(0, after >= 0 ? after + 3 : 0) + hostPart, d.name);
    if (!hp || hp.host === '') continue;
    const h = hp.host;
    if (isLiteralIp(h) || isLocalhost(h)) continue;
    if (!hp.explicitPort && upstreams.has(h)) continue;
    if (hp.port !== null && implicit.has(`${h.toLowerCase()}:${hp.port}`)) continue;
    return h;
  }
  return null;
}

/** Every value a script can take (variables nothing bounds become OPEN/UNDEF/ANY_IP marks), or null when too many. */
function candidates(config: NginxConfig, vars: VarModel, script: ScriptPart[], at: Directive, depth: number): string[] | null {
  let acc: string[] = [''];
  for (const p of script) {
    const vals = 'lit' in p ? [p.lit] : varCandidates(config, vars, p.v, at, depth);
    if (vals === null) return null;
    const next: string[] = [];
    for (const a of acc) for (const v of vals) next.push(a + v);
    if (next.length > MAX_CANDIDATES) return null;
    acc = next;
  }
  return acc;
}

function varCandidates(config: NginxConfig, vars: VarModel, name: string, at: Directive, depth: number): string[] | null {
  const n = name.toLowerCase();
  if (depth > 6 || /^[0-9]$/.test(n) || vars.hasNamedCapture(n, at)) return [OPEN];
  const defs = vars.setDefinitions(n);
  if (defs.length > 0) {
    const out: string[] = [];
    for (const def of defs) {
      // `set $x "";` filled in later by code (Lua, njs) we cannot read.
      if (def.script.length === 0 || (def.script.length === 1 && 'lit' in def.script[0]! && def.script[0].lit === '')) return [OPEN];
      const c = candidates(config, vars, def.script, def.at, depth + 1);
      if (c === null) return null;
      out.push(...c);
    }
    return out;
  }
  const map = vars.mapOf(n);
  if (map) {
    const out: string[] = [];
    let hasDefault = false;
    for (const entry of map.block ?? []) {
      if (entry.name === 'hostnames' || entry.name === 'volatile') continue;
      if (entry.name === 'include') return [OPEN];
      if (entry.name === 'default') hasDefault = true;
      const value = entry.args[0]?.value;
      if (value === undefined) continue;
      const script = parseScript(value);
      // Captures of a regex key: whatever the source held.
      if (entry.name.startsWith('~') && script.some((s) => 'v' in s)) return [OPEN];
      const c = candidates(config, vars, script, map, depth + 1);
      if (c === null) return null;
      out.push(...c);
    }
    if (!hasDefault) out.push('');
    return out;
  }
  if (IP_BUILTINS.has(n)) return [ANY_IP];
  if (PATH_BUILTINS.has(n)) return ['/' + OPEN];
  if (OTHER_SETTERS.some((s) => definesVar(config, s, n))) return [OPEN];
  if (BUILTIN_PREFIXES.some((p) => n.startsWith(p))) return [OPEN];
  // Defined nowhere in view: an envsubst placeholder, or set by a file we were not given.
  return [UNDEF];
}

const settersCache = new WeakMap<Directive[], Map<string, Set<string>>>();

function definesVar(config: NginxConfig, directive: string, name: string): boolean {
  let byDirective = settersCache.get(config.root);
  if (!byDirective) settersCache.set(config.root, (byDirective = new Map()));
  let names = byDirective.get(directive);
  if (!names) {
    names = new Set();
    for (const d of findAll(config, directive)) {
      // `geo [$src] $name`, `split_clients $src $name`, `perl_set $name`, `set_by_lua $name …`.
      for (const a of d.args) if (a.value.startsWith('$')) names.add(a.value.slice(1).toLowerCase());
    }
    byDirective.set(directive, names);
  }
  return names.has(name);
}

// Two rules ask for the DNS targets of the same tree with the same classifier: computed once.
const dnsTargetCache = new WeakMap<Directive[], { isInternalName: (h: string) => boolean; targets: DnsTarget[] }>();

/** Every proxied host name and how nginx resolves it. */
export function dnsTargets(config: NginxConfig, isInternalName: (h: string) => boolean): DnsTarget[] {
  const cached = dnsTargetCache.get(config.root);
  if (cached && cached.isInternalName === isInternalName) return cached.targets.slice();
  const targets = collectDnsTargets(config, isInternalName);
  dnsTargetCache.set(config.root, { isInternalName, targets });
  return targets.slice();
}

function collectDnsTargets(config: NginxConfig, isInternalName: (h: string) => boolean): DnsTarget[] {
  const upstreams = new Map<string, Directive>();
  // In tree order (a later upstream of a name wins), stream upstreams left out.
  for (const d of findAll(config, 'upstream')) {
    const name = d.argValue(0);
    if (d.block && name !== undefined && !enclosing(d, 'stream')) upstreams.set(name, d);
  }
  const vars = varModelOf(config);
  const out: DnsTarget[] = [];
  // Thousands of passes may share one upstream: its servers are listed once (repeats would be
  // dropped below anyway, as the same places).
  const listedUpstreams = new Set<Directive>();
  const staticHost = (node: Directive, host: string, pass: Directive): void => {
    if (isLiteralIp(host) || isLocalhost(host)) return;
    // `${PEERTUBE_HOST}`: an envsubst placeholder (or an nginx variable, which `server` rejects), no host.
    if (host.includes('$')) return;
    const internal = isInternalName(host);
    out.push({ node, host, kind: internal ? 'static-internal' : 'static-public', cloud: !internal && isCloudHost(host), pass });
  };
  const implicit = implicitUpstreams(config);
  walk(config.root, (d) => {
    if (d.name === 'stream' || d.name === 'mail') return false;
    if (!PASS_DIRECTIVES.has(d.name) || !d.args[0]) return undefined;
    const value = d.args[0].value;
    if (value.includes('$')) {
      // With variables nginx evaluates the URL per request: a host naming an `upstream` block (or
      // the host:port of a literal *_pass elsewhere, an implicit upstream) or an address needs no
      // resolver; only a value that can carry a DNS name does.
      const dns = variableDnsHost(config, vars, d, upstreams, implicit);
      if (dns !== null && !resolverMayApply(config, d)) out.push({ node: d, host: dns, kind: 'variable-without-resolver', cloud: false, pass: d });
      return undefined;
    }
    const host = hostOf(value);
    if (!host) return undefined;
    const up = upstreams.get(host);
    if (!up) {
      // `uwsgi_pass django;` in a server/location fragment, or next to an include we could not
      // read: a name without a port is how an upstream{} defined out of view is referenced.
      if (!host.includes('.') && hostPort(value, d.name)?.explicitPort === false && upstreamsOutOfView(config, d)) return undefined;
      staticHost(d, host, d);
      return undefined;
    }
    if (listedUpstreams.has(up)) return undefined;
    listedUpstreams.add(up);
    for (const s of (up.block ?? []).filter((k) => k.name === 'server')) {
      const h = s.args[0] ? hostOf(s.args[0].value) : null;
      if (!h) continue;
      if (s.args.some((a) => a.value === 'resolve')) {
        if (!hasResolver(config, up)) out.push({ node: s, host: h, kind: 'resolve-without-resolver', cloud: false, pass: d });
        continue;
      }
      staticHost(s, h, d);
    }
    return undefined;
  });
  // The same upstream line reached from several locations is one place.
  const seen = new Set<Directive>();
  return out.filter((t) => (seen.has(t.node) ? false : (seen.add(t.node), true)));
}

// ---- locations that are regexes without `~` ---------------------------------------------------------

export interface LiteralRegexLocation {
  /** The path argument (after `^~`/`=` when present). */
  arg: Arg;
  /** The modifier argument, when the location has one. */
  modifier: Arg | null;
  /** `$1`…`$9` used by directives of the location (not of nested locations). */
  captures: string[];
}

/**
 * `location (^/a/.*\.png$)` or `location /x/(.*) { … $1 … }`: a prefix (or exact) location whose
 * path is evidently a regex written without `~`. nginx compares it literally: it never matches as
 * meant (a path that does not begin with "/" never matches at all) and its `$1`… are always empty.
 */
export function literalRegexLocation(loc: Directive): LiteralRegexLocation | null {
  if (loc.name !== 'location' || !loc.block || locationRegex(loc)) return null;
  const a0 = loc.args[0];
  if (!a0) return null;
  let modifier: Arg | null = null;
  let arg = a0;
  if ((a0.value === '^~' || a0.value === '=') && loc.args[1]) {
    modifier = a0;
    arg = loc.args[1];
  } else if (loc.args.length !== 1) return null;
  const path = arg.value;
  if (path.startsWith('@') || path === '') return null;
  const captures = new Set<string>();
  walk(loc.block, (d) => {
    if (d.name === 'location') return false;
    for (let i = 0; i < d.argc; i++) for (const m of d.argValue(i)!.matchAll(/\$\{?([1-9])\}?/g)) captures.add(`$${m[1]}`);
    return undefined;
  });
  // A regex shape: groups, anchors, classes, escapes, wildcards.
  const regexShape = /[()]|^\^|\\[.dwsDWS/]|\.[*+]|\[[^\]]+\][*+?]?|\$$/.test(path);
  if (!regexShape) return null;
  const neverMatches = !path.startsWith('/') && !path.startsWith('*');
  const strong = /\(\.[*+]\)|\.[*+]|\\\.|\$$/.test(path);
  if (!neverMatches && captures.size === 0 && !strong) return null;
  return { arg, modifier, captures: [...captures].sort() };
}
