// Versions a deployment pins for itself: the nginx image it runs (`FROM nginx:1.25-alpine`,
// compose `image: nginx:1.30.1`) and the gunicorn it installs (`pip install gunicorn==22.0`,
// `gunicorn==23.0.0` in a requirements file). The caller uses them as target versions before
// falling back to `nginx -v` / `gunicorn --version` / defaults. Pure: no I/O.

export interface Pin {
  /** `1.25`, `1.30.1`, `22.0.0` (tag suffixes such as `-alpine` dropped). */
  version: string;
  origin: { file: string; line: number };
}

export interface DeploymentPins {
  nginx?: Pin;
  gunicorn?: Pin;
}

/** `nginx:1.25-alpine`, `docker.io/library/nginx:1.25.3`, `nginxinc/nginx-unprivileged:1.27`. */
const NGINX_IMAGE = /^(?:[\w.-]+(?::\d+)?\/)*(?:nginx|nginx-unprivileged):(\d+\.\d+(?:\.\d+)?)(?:[-_][\w.-]*)?(?:@sha256:[0-9a-f]+)?$/i;

/** `gunicorn==22.0`, `gunicorn[gevent]==23.0.0`, `"gunicorn == 21.2.0"` (an exact pin, nothing looser). */
const GUNICORN_PIN = /(?:^|[\s"'=,[(])gunicorn\s*(?:\[[^\]]*\])?\s*===?\s*v?(\d+(?:\.\d+){0,2})(?![\w.*])/i;

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

type Kind = 'dockerfile' | 'compose' | 'requirements' | 'python-project' | null;

function kindOf(path: string): Kind {
  const name = baseName(path);
  if (/^dockerfile|\.dockerfile$|^containerfile/i.test(name)) return 'dockerfile';
  if (/(^|[-.])compose[\w.-]*\.ya?ml$/i.test(name)) return 'compose';
  if (/^requirements[\w.-]*\.(txt|in)$|^constraints[\w.-]*\.txt$|\.requirements\.txt$/i.test(name)) return 'requirements';
  if (/^(pyproject\.toml|Pipfile|setup\.cfg|setup\.py)$/i.test(name)) return 'python-project';
  return null;
}

function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** Joins Dockerfile continuation lines; each logical line keeps the number of its first line. */
function dockerLines(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let cur: { line: number; text: string } | undefined;
  lines(text).forEach((l, i) => {
    if (/^\s*#/.test(l) && cur === undefined) return;
    if (cur === undefined) cur = { line: i + 1, text: '' };
    if (/\\\s*$/.test(l)) {
      cur.text += l.replace(/\\\s*$/, ' ');
      return;
    }
    cur.text += l;
    out.push(cur);
    cur = undefined;
  });
  if (cur) out.push(cur);
  return out;
}

function stripComment(l: string): string {
  return l.replace(/(^|\s)#.*$/, '');
}

/**
 * The nginx and gunicorn versions the deployment's own files pin, each with the file and line
 * that pins it (the first one found, in the order of `files`).
 */
export function deploymentPins(files: Array<{ path: string; text: string }>): DeploymentPins {
  const out: DeploymentPins = {};
  const setNginx = (image: string, file: string, line: number) => {
    const m = NGINX_IMAGE.exec(image.trim().replace(/^["']|["']$/g, ''));
    if (m && !out.nginx) out.nginx = { version: m[1]!, origin: { file, line } };
  };
  const setGunicorn = (text: string, file: string, line: number) => {
    const m = GUNICORN_PIN.exec(text);
    if (m && !out.gunicorn) out.gunicorn = { version: m[1]!, origin: { file, line } };
  };
  for (const f of files) {
    switch (kindOf(f.path)) {
      case 'dockerfile':
        for (const l of dockerLines(f.text)) {
          const from = /^\s*FROM\s+(?:--\S+\s+)*(\S+)/i.exec(l.text);
          if (from) setNginx(from[1]!, f.path, l.line);
          if (/^\s*RUN\b/i.test(l.text) && /\bpip[\d.]*\b|\buv\s+pip\b|\bpoetry\s+add\b|\bpipenv\s+install\b/.test(l.text)) setGunicorn(l.text, f.path, l.line);
        }
        break;
      case 'compose':
        lines(f.text).forEach((l, i) => {
          const m = /^\s*image:\s*(\S+)/.exec(stripComment(l));
          if (m) setNginx(m[1]!, f.path, i + 1);
        });
        break;
      case 'requirements':
        lines(f.text).forEach((l, i) => setGunicorn(stripComment(l), f.path, i + 1));
        break;
      case 'python-project':
        lines(f.text).forEach((l, i) => {
          const t = stripComment(l);
          setGunicorn(t, f.path, i + 1);
          // Pipfile / poetry: `gunicorn = "==22.0.0"` or `gunicorn = "22.0.0"` (poetry's exact form).
          const table = /^\s*gunicorn\s*=\s*["']\s*(?:==)?\s*(\d+(?:\.\d+){0,2})\s*["']/i.exec(t);
          if (table && !out.gunicorn) out.gunicorn = { version: table[1]!, origin: { file: f.path, line: i + 1 } };
        });
        break;
      default:
        break;
    }
  }
  return out;
}
