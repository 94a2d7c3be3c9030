import type { Fix, Rule } from '../../src/lint/rule.js';
import { replaceArg } from '../../src/edit/edits.js';
import type { Bind, GunicornApp } from '../../src/gunicorn/types.js';
import type { NginxTarget } from '../../src/model/types.js';
import { appLabel } from '../../src/model/gunicorn-query.js';
import { bindReached, dynamicSetting, isLocalTarget } from './_shared.js';

function showBind(b: Bind): string {
  if (b.kind === 'unix') return `unix:${b.path}`;
  if (b.kind === 'fd') return `fd://${b.fd}`;
  return `${b.host.includes(':') ? `[${b.host}]` : b.host || '0.0.0.0'}:${b.port}`;
}

function showTarget(a: NginxTarget['address']): string {
  if (a.kind === 'unix') return `unix:${a.path}`;
  if (a.kind === 'tcp') return `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
  return a.raw;
}

function whereSet(b: Bind): string {
  if (!b.origin.file) return b.origin.detail ? `from ${b.origin.detail}` : "gunicorn's default";
  return `${b.origin.file.path.split('/').pop()}:${b.origin.line}`;
}

/** The address nginx should use for a bind: a wildcard bind is reached over loopback. */
function nginxAddressFor(b: Bind): string | null {
  if (b.kind === 'unix') return `unix:${b.path}`;
  if (b.kind !== 'tcp') return null;
  const h = b.host.replace(/^\[|\]$/g, '');
  if (h === '0.0.0.0' || h === '' || h === 'localhost' || h === '::') return `127.0.0.1:${b.port}`;
  return `${h.includes(':') ? `[${h}]` : h}:${b.port}`;
}

/** The edit pointing this target at `address` (an upstream `server` or a literal proxy_pass URL). */
function pointAt(t: NginxTarget, address: string): Fix | undefined {
  const arg = t.node.args[0];
  if (!arg) return undefined;
  const replacement = t.upstream
    ? address
    : arg.value.replace(/^(\w+:\/\/)(unix:[^:]*:?|\[[^\]]*\](?::\d+)?|[^/]*)/, (_m, scheme: string) => `${scheme}${address.startsWith('unix:') ? `${address}:` : address}`);
  if (replacement === arg.value) return undefined;
  return { description: `point nginx at ${address}`, edits: [replaceArg(t.node.file, arg, replacement)] };
}

/** An app whose binds we know: none computed in conf.py, none inherited as a bare fd. */
function bindsKnown(app: GunicornApp): boolean {
  return !dynamicSetting(app, 'bind') && app.binds.every((b) => b.kind !== 'fd');
}

export const rule: Rule = {
  meta: {
    id: 'cross/upstream-bind-mismatch',
    category: 'correctness',
    severity: 'error',
    fix: 'suggest',
    summary: "nginx's upstream target matches no gunicorn bind",
    needs: ['nginx', 'gunicorn'],
  },
  check(ctx) {
    // A bind we can't read could be the one nginx targets: don't guess.
    if (!ctx.gunicorn.every(bindsKnown)) return;
    const targets = [...ctx.model.links.map((l) => l.target), ...ctx.model.unlinkedTargets].filter((t, i, a) => a.indexOf(t) === i);
    const reaches = (t: NginxTarget, app: GunicornApp): boolean => app.binds.some((b) => bindReached(t.address, b));
    // nginx may proxy to other local services too: only a gunicorn nothing reaches makes a target suspect.
    const orphans = ctx.gunicorn.filter((app) => app.binds.length > 0 && !targets.some((t) => reaches(t, app)));
    if (orphans.length === 0) return;
    const binds = orphans.flatMap((app) => app.binds.map((bind) => ({ app, bind })));
    const suspects = targets.filter((t) => isLocalTarget(t.address) && !ctx.gunicorn.some((app) => reaches(t, app)));
    for (const t of suspects) {
      const where = binds.map(({ app, bind }) => `${showBind(bind)} (${appLabel(app)}, ${whereSet(bind)})`).join(', ');
      const only = binds.length === 1 && suspects.length === 1 ? nginxAddressFor(binds[0]!.bind) : null;
      ctx.report({
        node: t.node,
        message: `nginx sends to ${showTarget(t.address)}, but no gunicorn listens there: gunicorn binds ${where} → 502 Bad Gateway${only ? ` (point nginx at ${only}, or bind gunicorn to ${showTarget(t.address)})` : ''}`,
        fix: only ? pointAt(t, only) : undefined,
      });
    }
  },
};
