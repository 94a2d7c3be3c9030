// `conftune explain <rule-id | nginx directive | gunicorn setting>`: a rule's docs page, nginx's
// own description of a directive (from @nginx/reference-lib, loaded only here: it is 1.7 MB), or
// a gunicorn setting's flags, default and meaning.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import type { RuleMeta } from '../lint/rule.js';

export function registerExplainCommand(program: Command): void {
  program
    .command('explain')
    .description("print a rule's documentation, an nginx directive's reference, or a gunicorn setting")
    .argument('<name>', 'a rule id (nginx/upstream-keepalive-missing), an nginx directive (proxy_buffering) or a gunicorn setting (workers, --keep-alive)')
    .option('--gunicorn-version <version>', 'gunicorn version whose settings to describe (default 23)')
    .action(async (name: string, opts: { gunicornVersion?: string }) => {
      const { text, found } = await explain(name, opts);
      (found ? process.stdout : process.stderr).write(text);
      process.exitCode = found ? 0 : 2;
    });
}

/** The text `explain` prints; `found: false` when the name is nothing conftune knows. */
export async function explain(name: string, opts: { gunicornVersion?: string } = {}): Promise<{ text: string; found: boolean }> {
  const { allRules } = await import('../../rules/index.js');
  const metas = allRules.map((r) => r.meta);
  const rule = metas.find((m) => m.id === name || m.aliases?.includes(name));
  if (rule) return { text: ruleDocs(rule), found: true };

  const parts: string[] = [];
  const nginx = await nginxReference(name);
  if (nginx) parts.push(nginx);
  const gunicorn = await gunicornSetting(name, opts.gunicornVersion);
  if (gunicorn) parts.push(gunicorn);
  if (parts.length > 0) return { text: parts.join('\n'), found: true };

  const hint = await suggestion(name, metas);
  return { text: `conftune: "${name}" is not a conftune rule, an nginx directive or a gunicorn setting${hint}\n`, found: false };
}

// ---- rules -------------------------------------------------------------------------------------

/** Where the rules' .md pages are: beside the sources (repo) or at the package root (installed). */
export function ruleDocsPath(id: string): string | undefined {
  const here = path.dirname(new URL(import.meta.url).pathname);
  for (const up of ['../..', '../../..']) {
    const p = path.resolve(here, up, 'rules', `${id}.md`);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

function ruleDocs(meta: RuleMeta): string {
  const header = `${meta.id} (${meta.category}, ${meta.severity}, fix: ${meta.fix})${meta.aliases?.length ? ` — also ${meta.aliases.join(', ')}` : ''}\n`;
  const file = ruleDocsPath(meta.id);
  if (!file) return `${header}\n${meta.summary}\n\n(no documentation page ships for this rule)\n`;
  const body = fs.readFileSync(file, 'utf8');
  return `${header}\n${body.endsWith('\n') ? body : body + '\n'}`;
}

// ---- nginx directives --------------------------------------------------------------------------

/** nginx.org's page for a module, from the module's name (`ngx_http_proxy_module` → http/…). */
export function moduleDocsUrl(module: string, directive: string): string {
  if (module === 'Core functionality') return `https://nginx.org/en/docs/ngx_core_module.html#${directive}`;
  const area = /^ngx_(http|stream|mail)_/.exec(module)?.[1];
  return `https://nginx.org/en/docs/${area ? `${area}/` : ''}${module}.html#${directive}`;
}

/** Markdown code marks and emphasis make syntax lines hard to read in a terminal. */
const plainSyntax = (s: string): string => s.replace(/<[^>]+>/g, '').replace(/[`*]/g, '').replace(/\s+/g, ' ').trim();

async function nginxReference(name: string): Promise<string | undefined> {
  const ref = await import('@nginx/reference-lib');
  const entries = ref.getDirectives(ref.Format.Markdown).filter((d) => d.name === name);
  if (entries.length > 0) {
    return entries
      .map((d) =>
        [
          `${d.name} — nginx directive (${d.module})`,
          '',
          ...d.syntax.map((s) => `Syntax:  ${d.name} ${plainSyntax(s)}${d.isBlock ? ' { … }' : ';'}`),
          `Default: ${d.default ? `${d.name} ${plainSyntax(d.default)};` : '—'}`,
          `Context: ${d.contexts.join(', ')}`,
          '',
          d.description.trim(),
          '',
          `Source: ${moduleDocsUrl(d.module, d.name)}`,
          '',
        ].join('\n'),
      )
      .join('\n');
  }
  // Third-party and undocumented directives conftune knows: what the table says, no prose.
  const { lookupDirective, allowedContexts, describeType } = await import('../nginx/directives.js');
  const spec = lookupDirective(name);
  if (!spec) return undefined;
  const form = spec.forms[0]!;
  return [
    `${name} — ${spec.thirdParty ? 'third-party' : 'nginx'} directive (${form.module})`,
    '',
    `Arguments: ${describeType(form.type)} (nginx's argument types)`,
    `Context: ${allowedContexts(spec).join(', ')}`,
    '',
    "nginx.org's reference does not describe it: see the module's own documentation.",
    '',
  ].join('\n');
}

// ---- gunicorn settings -------------------------------------------------------------------------

/** One line on what a setting means, in our words from gunicorn's settings documentation. */
const GUNICORN_MEANING: Record<string, string> = {
  config: 'Path of the Python config file gunicorn reads (default ./gunicorn.conf.py when it exists).',
  wsgi_app: 'The WSGI application to serve, as "module:variable".',
  bind: 'Sockets to listen on: HOST:PORT, unix:PATH or fd://FD; repeat to bind several. Defaults to $PORT when set.',
  backlog: 'Maximum number of pending connections the listen socket queues (the listen(2) backlog).',
  workers: 'Number of worker processes handling requests (commonly 2-4 per core); $WEB_CONCURRENCY sets the default.',
  worker_class: 'Worker type: sync (one request at a time per worker), gthread, gevent, eventlet, tornado, or a class path.',
  threads: 'Threads per worker for the gthread worker; setting it above 1 with sync switches to gthread.',
  worker_connections: 'Maximum simultaneous clients per worker for the async (gevent/eventlet) and gthread workers.',
  max_requests: 'Restart a worker after it has handled this many requests (0 disables): a guard against leaks.',
  max_requests_jitter: 'Random extra requests added to max_requests so workers do not all restart together.',
  timeout: 'Seconds a worker may stay silent (busy on a request, for sync workers) before the arbiter kills and restarts it.',
  graceful_timeout: 'Seconds workers get to finish in-flight requests after a restart/stop signal before being killed.',
  keepalive: 'Seconds to wait for the next request on a keep-alive connection (async and gthread workers; sync workers close).',
  limit_request_line: 'Maximum size in bytes of the HTTP request line (0 = unlimited); guards against DoS.',
  limit_request_fields: 'Maximum number of header fields in a request.',
  limit_request_field_size: 'Maximum size in bytes of one request header field (0 = unlimited).',
  reload: 'Restart workers when application code changes (development only).',
  preload_app: 'Load the application in the arbiter before forking workers: faster boot and shared memory, no per-worker reload.',
  sendfile: 'Whether to use sendfile() for file responses.',
  reuse_port: 'Set SO_REUSEPORT on the listen socket.',
  chdir: 'Directory to change to before loading the application.',
  daemon: 'Detach from the terminal and run in the background.',
  pidfile: 'File to write the arbiter PID to.',
  worker_tmp_dir: 'Directory for the workers\' heartbeat files; use a tmpfs (/dev/shm) to avoid disk stalls that trip the timeout.',
  user: 'User to run the workers as.',
  group: 'Group to run the workers as.',
  umask: 'File mode creation mask of the gunicorn process.',
  forwarded_allow_ips: 'Front-end addresses trusted to set X-Forwarded-* headers (scheme, client address); default 127.0.0.1 (and ::1 from 22.0).',
  proxy_protocol: 'Accept the PROXY protocol header from a load balancer in front.',
  proxy_allow_ips: 'Front-end addresses allowed to send the PROXY protocol header.',
  secure_scheme_headers: 'Headers (and values) that mark a request as HTTPS when sent by a trusted front end.',
  accesslog: 'Where to write the access log ("-" = stdout); off by default.',
  access_log_format: 'Format of access log lines.',
  errorlog: 'Where to write the error log ("-" = stderr).',
  loglevel: 'Error log verbosity: debug, info, warning, error, critical.',
  capture_output: 'Redirect the application\'s stdout/stderr to the error log.',
  statsd_host: 'host:port of a StatsD server to send metrics to.',
  proc_name: 'Process name shown by ps/top.',
  keyfile: 'TLS private key file: gunicorn serves HTTPS itself when set.',
  certfile: 'TLS certificate file.',
  raw_env: 'Environment variables (KEY=VALUE) set in the execution environment.',
  max_requests_per_child: 'Old name of max_requests.',
};

function gunicornDocsUrl(setting: string): string {
  return `https://docs.gunicorn.org/en/stable/settings.html#${setting.replace(/_/g, '-')}`;
}

function formatDefault(value: unknown): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return JSON.stringify(value);
}

async function gunicornSetting(name: string, version?: string): Promise<string | undefined> {
  const { settingsFor, DEFAULT_GUNICORN_VERSION } = await import('../gunicorn/settings.js');
  const table = settingsFor(version ?? DEFAULT_GUNICORN_VERSION);
  const key = name.replace(/^--?/, '');
  const spec =
    table.byName.get(name) ??
    table.byName.get(key.replace(/-/g, '_')) ??
    table.byFlag.get(name) ??
    (name.startsWith('-') ? undefined : table.byFlag.get(`--${key}`));
  if (!spec) return undefined;
  const flags = spec.cli.length ? spec.cli.join(', ') : '(config file only)';
  return [
    `${spec.name} — gunicorn setting (${spec.section}; gunicorn ${table.tableVersion} table)`,
    '',
    `Flags:   ${flags}`,
    `Config:  ${spec.name} = …  (gunicorn.conf.py)`,
    `Default: ${formatDefault(spec.default)}`,
    '',
    GUNICORN_MEANING[spec.name] ?? `A "${spec.section}" setting, validated by gunicorn's ${spec.validator}.`,
    '',
    `Source: ${gunicornDocsUrl(spec.name)}`,
    '',
  ].join('\n');
}

// ---- not found ---------------------------------------------------------------------------------

async function suggestion(name: string, metas: RuleMeta[]): Promise<string> {
  const { editDistance, knownDirectiveNames } = await import('../nginx/directives.js');
  const candidates = [...metas.map((m) => m.id), ...knownDirectiveNames()];
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1;
  for (const c of candidates) {
    const d = editDistance(name, c, bestDistance);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best ? ` (did you mean "${best}"?)` : ' (`conftune rules` lists the rules)';
}
