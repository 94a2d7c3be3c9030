// Questions cross and gunicorn rules ask of a GunicornApp, answered from its resolved settings.
// A value the static evaluator could not decide is `undefined` here: rules then say so, never guess.

import type { Bind, GunicornApp, ResolvedSetting, SettingValue } from '../gunicorn/types.js';

export type WorkerKind = 'sync' | 'gthread' | 'gevent' | 'eventlet' | 'tornado' | 'asgi' | 'other';

export function isDynamic(v: SettingValue | undefined): v is { dynamic: true; reason: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { dynamic?: boolean }).dynamic === true;
}

export function setting(app: GunicornApp, name: string): ResolvedSetting | undefined {
  return app.settings.get(name);
}

/** A numeric setting, or undefined when unset-without-default or dynamic. */
export function num(app: GunicornApp, name: string): number | undefined {
  const v = app.settings.get(name)?.value;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  return undefined;
}

export function str(app: GunicornApp, name: string): string | undefined {
  const v = app.settings.get(name)?.value;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function bool(app: GunicornApp, name: string): boolean | undefined {
  const v = app.settings.get(name)?.value;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.toLowerCase();
    if (['true', '1', 'yes', 'on', 'y'].includes(s)) return true;
    if (['false', '0', 'no', 'off', 'n'].includes(s)) return false;
  }
  if (typeof v === 'number') return v !== 0;
  return undefined;
}

export function list(app: GunicornApp, name: string): string[] | undefined {
  const v = app.settings.get(name)?.value;
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  return undefined;
}

/**
 * The worker model, normalised: gunicorn's short names, `egg:gunicorn#x` and dotted class paths.
 * sync with threads > 1 runs as gthread (gunicorn does that switch silently).
 */
export function workerKind(app: GunicornApp): WorkerKind | undefined {
  const raw = app.settings.get('worker_class')?.value;
  if (isDynamic(raw) || raw === undefined) return undefined;
  const s = String(raw).toLowerCase();
  let kind: WorkerKind;
  if (s === 'sync' || s.endsWith('sync.syncworker') || s === 'egg:gunicorn#sync') kind = 'sync';
  else if (s.includes('gthread') || s.endsWith('threadworker')) kind = 'gthread';
  else if (s.includes('gevent')) kind = 'gevent';
  else if (s.includes('eventlet')) kind = 'eventlet';
  else if (s.includes('tornado')) kind = 'tornado';
  else if (s.includes('uvicorn') || s.includes('asgi') || s.includes('hypercorn')) kind = 'asgi';
  else kind = 'other';
  if (kind === 'sync') {
    const threads = num(app, 'threads');
    if (threads !== undefined && threads > 1) return 'gthread';
  }
  return kind;
}

/** Worker classes that keep client connections open between requests (gunicorn's keepalive applies). */
export function keepsConnections(kind: WorkerKind | undefined): boolean {
  return kind === 'gthread' || kind === 'gevent' || kind === 'eventlet' || kind === 'tornado' || kind === 'asgi';
}

export function isAsync(kind: WorkerKind | undefined): boolean {
  return kind === 'gevent' || kind === 'eventlet' || kind === 'tornado' || kind === 'asgi';
}

export function isLoopbackBind(b: Bind): boolean {
  if (b.kind !== 'tcp') return true;
  const h = b.host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || h.startsWith('127.');
}

export function isWildcardBind(b: Bind): boolean {
  if (b.kind !== 'tcp') return false;
  const h = b.host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === '0.0.0.0' || h === '::' || h === '';
}

/** `name (set at file:line)` / `name (gunicorn's default)`, for messages. */
export function describeOrigin(s: ResolvedSetting | undefined): string {
  if (!s) return 'unset';
  if (s.isDefault || !s.origin.file) return "gunicorn's default";
  const base = s.origin.file.path.split('/').pop();
  return `${s.origin.detail ? s.origin.detail + ', ' : ''}${base}:${s.origin.line}`;
}

export function appLabel(app: GunicornApp): string {
  return app.wsgiApp ? `gunicorn app ${app.wsgiApp}` : `gunicorn (${app.name})`;
}
