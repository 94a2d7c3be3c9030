// gunicorn's validators (config.py `validate_*`), applied to statically known values.

import type { Dynamic, SettingValue } from './types.js';
import type { PyValue } from './pyvalue.js';
import { pyRepr, typeName } from './pyvalue.js';
import { parseBindAddress } from './binds.js';
import {
  autoInt, checkForwardedAddress, checkWorkerClass, pythonInt10, pythonIntBase0, type SettingSpec,
} from './settings.js';

export type Validated =
  | { ok: true; value: SettingValue; /** Source spans of list items that came from literals (binds). */ itemSpans?: Array<{ start: number; end: number } | undefined> }
  | { ok: false; message: string };

const ENUM_VALUES: Record<string, string[]> = {
  reload_engine: ['auto', 'poll', 'inotify'],
  header_map: ['drop', 'refuse', 'dangerous'],
  asgi_lifespan: ['auto', 'on', 'off'],
  asgi_loop: ['auto', 'asyncio', 'uvloop'],
};
const SSL_VERSION_NAMES = ['SSLv23', 'TLS', 'TLS_CLIENT', 'TLS_SERVER', 'TLSv1', 'TLSv1_1', 'TLSv1_2'];
const SSL_VERSION_NUMBERS = [2, 3, 4, 5, 16, 17];

function fail(message: string): Validated {
  return { ok: false, message };
}

function show(v: PyValue): string {
  return pyRepr(v) ?? typeName(v);
}

/**
 * A dict setting value (`secure_scheme_headers`, `logconfig_dict`). SettingValue has no dict
 * member yet, so dicts travel as plain objects; read them back with `settingDict()`.
 */
function dictValue(entries: Array<[string, string]>): SettingValue {
  return Object.fromEntries(entries) as unknown as SettingValue;
}

/** Reads a dict setting value (see `dictValue`). */
export function settingDict(v: SettingValue | undefined): Record<string, string> | undefined {
  if (v && typeof v === 'object' && !Array.isArray(v) && (v as { dynamic?: unknown }).dynamic !== true) return v as unknown as Record<string, string>;
  return undefined;
}

/**
 * A Dynamic setting value from an evaluator value, keeping what it depends on; its fallback
 * (the value when the unseen environment sets nothing) validated for the setting.
 */
export function dynamicValue(v: Extract<PyValue, { t: 'dyn' }>, spec?: SettingSpec, version?: string): Dynamic {
  const out: Dynamic = { dynamic: true, reason: v.reason, ...(v.cores ? { cores: true } : {}), ...(v.env?.length ? { env: v.env } : {}) };
  if (v.fallback && spec && version) {
    const checked = validateValue(spec, v.fallback, version);
    if (checked.ok) {
      const fb = checked.value;
      if (typeof fb === 'string' || typeof fb === 'number' || typeof fb === 'boolean' || (Array.isArray(fb) && fb.every((x) => typeof x === 'string'))) out.fallback = fb;
    }
  }
  return out;
}

/** Validates a conf.py value for a setting the way `Setting.set()` would. */
export function validateValue(spec: SettingSpec, v: PyValue, version: string): Validated {
  if (v.t === 'dyn') return { ok: true, value: dynamicValue(v, spec, version) };
  switch (spec.kind) {
    case 'int': {
      if (v.t === 'int') return v.v < 0 ? fail(`Value must be positive: ${v.v}`) : { ok: true, value: v.v };
      if (v.t === 'bool') return { ok: true, value: v.v ? 1 : 0 };
      if (v.t === 'str') {
        const n = pythonIntBase0(v.v);
        if (n === null) return fail(`invalid literal for int() with base 0: ${show(v)}`);
        return n < 0 ? fail(`Value must be positive: ${n}`) : { ok: true, value: n };
      }
      return fail(`expected an integer, got ${typeName(v)} ${show(v)}`);
    }
    case 'bool': {
      if (v.t === 'bool') return { ok: true, value: v.v };
      if (v.t === 'none') return { ok: true, value: null };
      if (v.t === 'str') {
        const s = v.v.trim().toLowerCase();
        if (s === 'true') return { ok: true, value: true };
        if (s === 'false') return { ok: true, value: false };
        return fail(`Invalid boolean: ${v.v}`);
      }
      return fail(`Invalid type for casting: ${show(v)} (expected True or False)`);
    }
    case 'string':
    case 'hostport':
    case 'address':
    case 'class':
    case 'enum': {
      if (v.t === 'none') return { ok: true, value: null };
      if (v.t === 'class' && spec.kind === 'class') return { ok: true, value: { dynamic: true, reason: `class ${v.name} defined in the config file` } };
      if (v.t !== 'str') return fail(`Not a string: ${show(v)}`);
      const s = v.v.trim();
      if (spec.kind === 'class' && spec.name === 'worker_class') {
        const problem = checkWorkerClass(s, version);
        if (problem) return fail(problem);
      }
      if (spec.kind === 'hostport' && !/^[^:]*:\d+$/.test(s)) return fail('Value must consist of: hostname:port');
      if (spec.kind === 'enum' && ENUM_VALUES[spec.name] && !ENUM_VALUES[spec.name]!.includes(s)) {
        return fail(`Invalid ${spec.name}: ${show(v)} (expected one of ${ENUM_VALUES[spec.name]!.join(', ')})`);
      }
      return { ok: true, value: s, itemSpans: [v.span] };
    }
    case 'user': {
      if (v.t === 'int') return { ok: true, value: v.v };
      if (v.t === 'none') return { ok: true, value: null };
      if (v.t === 'str') return { ok: true, value: /^\d+$/.test(v.v) ? Number(v.v) : v.v };
      return fail(`expected a user/group name or id, got ${show(v)}`);
    }
    case 'list': {
      if (v.t === 'none' || (v.t === 'str' && v.v === '') || ((v.t === 'list' || v.t === 'tuple') && v.items.length === 0)) return { ok: true, value: [] };
      const items = v.t === 'str' ? [v] : v.t === 'list' || v.t === 'tuple' ? v.items : null;
      if (!items) return fail(`expected a list of strings, got ${typeName(v)} ${show(v)}`);
      const out: string[] = [];
      const spans: Array<{ start: number; end: number } | undefined> = [];
      for (const item of items) {
        if (item.t === 'dyn') return { ok: true, value: dynamicValue(item) };
        if (item.t === 'none') {
          out.push(null as unknown as string);
          continue;
        }
        if (item.t !== 'str') return fail(`Not a string: ${show(item)}`);
        out.push(item.v.trim());
        spans.push(item.span);
      }
      if (spec.name === 'bind') {
        for (const b of out) {
          const parsed = parseBindAddress(b);
          if (!parsed.ok) return fail(`invalid bind address: ${parsed.message}`);
        }
      }
      return { ok: true, value: out, itemSpans: spans };
    }
    case 'csv':
    case 'addrlist': {
      if (v.t === 'none') return { ok: true, value: [] };
      if (v.t !== 'str') return fail(`Not a string: ${show(v)} (expected a comma-separated string)`);
      const s = v.v.trim();
      const out = s ? s.split(',').filter((x) => x !== '').map((x) => x.trim()) : [];
      if (spec.kind === 'addrlist') {
        for (const a of out) {
          const problem = checkForwardedAddress(a, version);
          if (problem) return fail(problem);
        }
      }
      return { ok: true, value: out, itemSpans: [v.span] };
    }
    case 'dict': {
      if (v.t !== 'dict') return fail(`Value is not a dictionary: ${show(v)}`);
      const entries: Array<[string, string]> = [];
      for (const [k, x] of v.entries) {
        if (k.t === 'dyn') return { ok: true, value: dynamicValue(k) };
        if (x.t === 'dyn') return { ok: true, value: dynamicValue(x) };
        entries.push([k.t === 'str' ? k.v : show(k), x.t === 'str' ? x.v : show(x)]);
      }
      return { ok: true, value: dictValue(entries) };
    }
    case 'callable': {
      if (v.t === 'func') return { ok: true, value: `<function ${v.name}>` };
      if (v.t === 'str') {
        if (!v.v.includes('.')) return fail(`Value '${v.v}' is not import string. Format: module[.submodules...].object`);
        return { ok: true, value: v.v };
      }
      if (v.t === 'ref') return { ok: true, value: `<function ${v.path}>` };
      return fail(`Value is not callable: ${show(v)}`);
    }
    case 'ssl_version': {
      if (v.t === 'str' && SSL_VERSION_NAMES.includes(v.v)) return { ok: true, value: v.v };
      const n = v.t === 'int' ? v.v : v.t === 'str' ? pythonIntBase0(v.v) : null;
      if (n !== null && SSL_VERSION_NUMBERS.includes(n)) return { ok: true, value: n };
      return fail(`Invalid ssl_version: ${show(v)}. Valid options: ${SSL_VERSION_NAMES.join(', ')}`);
    }
  }
}

/**
 * Validates a command-line value: argparse's `type` conversion first (`int`, `auto_int`), then the
 * setting's validator. `raw === true` means the flag was given without a value.
 */
export function validateCliValue(spec: SettingSpec, raw: string | string[] | true, version: string): Validated {
  if (raw === true) {
    if (spec.action === 'store_true') return { ok: true, value: true };
    if (spec.action === 'store_const' || spec.optionalValue) return validateValue(spec, constValue(spec.const), version);
    return fail('expected one argument');
  }
  if (Array.isArray(raw)) return validateValue(spec, { t: 'list', items: raw.map((s): PyValue => ({ t: 'str', v: s })) }, version);
  if (spec.type === 'int' || spec.type === 'auto_int') {
    const n = spec.type === 'int' ? pythonInt10(raw) : autoInt(raw);
    if (n === null) return fail(`invalid ${spec.type} value: '${raw}'`);
    return validateValue(spec, { t: 'int', v: n }, version);
  }
  return validateValue(spec, { t: 'str', v: raw }, version);
}

function constValue(c: SettingSpec['const']): PyValue {
  if (c === undefined || c === null) return { t: 'none' };
  if (typeof c === 'boolean') return { t: 'bool', v: c };
  return { t: 'str', v: c };
}
