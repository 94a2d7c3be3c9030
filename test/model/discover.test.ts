// What conftune reads: files named on the command line are taken for what they are (a .conf is
// nginx unless it reads as something else); with no paths, configurations are found by name and
// content in the folder's tree, and anything that is neither is left out with a note.
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { classifyFile, discover, looksLikeNginx, looksLikeShell } from '../../src/model/discover.js';
import { check } from '../../src/check.js';
import { tempTree } from '../helpers/cli.js';

const PRETIX_LIKE = `#!/bin/bash
cd /pretix/src;
export DATA_DIR=/data/;
if [ ! -d /data/logs ]; then
    mkdir /data/logs;
fi
exec gunicorn pretix.wsgi --name pretix --workers $((2 * $(nproc --all)));
`;

const tree = (files: Record<string, string>): string => tempTree(files, 'conftune-discover-');

describe('kind detection', () => {
  it('reads a shell script whose lines end in ";" as shell, not nginx', () => {
    expect(looksLikeShell(PRETIX_LIKE)).toBe(true);
    expect(looksLikeNginx('cd /app;\nif [ -f x ]; then\n  echo;\nfi\n')).toBe(false);
  });

  it('takes a shell script that starts gunicorn as a gunicorn source', () => {
    expect(classifyFile('/d/pretix.bash', PRETIX_LIKE, true)).toEqual({ kind: 'gunicorn' });
    expect(classifyFile('/d/run', PRETIX_LIKE, false)).toEqual({ kind: 'gunicorn' });
  });

  it('leaves out a shell script that does not start gunicorn, with a reason', () => {
    expect(classifyFile('/d/entrypoint.sh', '#!/bin/sh\nset -e\npython manage.py migrate;\nexec "$@";\n', false)).toEqual({ skip: 'a shell script that does not start gunicorn' });
  });

  it('takes a .conf named explicitly as nginx, whatever it holds', () => {
    expect(classifyFile('/d/loop-a.conf', 'events {}\nhttp { include loop-b.conf; }\n', true)).toEqual({ kind: 'nginx' });
    expect(classifyFile('/d/junk.conf', '\x7fELF\x02\x01\x01\x00garbage', true)).toEqual({ kind: 'nginx' });
  });

  it('recognises an extensionless site file by its content', () => {
    const site = 'upstream app {\n    server 127.0.0.1:8000;\n}\nserver {\n    listen 80;\n    location / { proxy_pass http://app; }\n}\n';
    expect(classifyFile('/d/gitlab-ssl', site, false)).toEqual({ kind: 'nginx' });
    expect(classifyFile('/d/notes', 'remember to renew the certificate\n', false)).toBeNull();
  });

  it('reads envsubst templates as nginx', () => {
    expect(classifyFile('/d/default.conf.template', 'server {\n    listen ${PORT};\n    server_name ${HOST};\n}\n', false)).toEqual({ kind: 'nginx' });
  });

  it('does not take an environment file for nginx', () => {
    expect(classifyFile('/d/gunicorn.conf', 'GUNICORN_BIND=0.0.0.0:8000\nGUNICORN_WORKERS=2\n', true)).toMatchObject({ skip: expect.stringContaining('environment file') });
  });

  it('takes a gunicorn config in Python under another extension', () => {
    expect(classifyFile('/d/gunicorn.ini', 'bind = "127.0.0.1:8000"\nworkers = 3\n', true)).toEqual({ kind: 'gunicorn' });
  });
});

describe('discovery', () => {
  it('finds nginx files by content and gunicorn sources anywhere in the tree', () => {
    const dir = tree({
      'deploy/nginx/site': 'server {\n    listen 80;\n    location / { proxy_pass http://127.0.0.1:8000; }\n}\n',
      'deploy/gunicorn.conf.py': 'workers = 3\n',
      'deploy/start': PRETIX_LIKE,
      'README.md': 'server { }\n',
      'app/settings.py': 'timeout = 30\n',
    });
    const found = discover(dir).inputs.map((i) => `${path.relative(dir, i.path)}:${i.kind}`).sort();
    expect(found).toEqual(['deploy/gunicorn.conf.py:gunicorn', 'deploy/nginx/site:nginx', 'deploy/start:gunicorn']);
  });

  it('leaves out files that are neither, with a note, and never fails the run', () => {
    const dir = tree({ 'nginx.conf': 'events {}\nhttp {}\n', 'docker/entrypoint.sh': '#!/bin/sh\nexec "$@"\n' });
    const r = check({ paths: [], cwd: dir, nginxVersion: '1.24.0', select: ['nginx/syntax'] });
    expect(r.errors).toEqual([]);
    expect(r.notes.map((n) => `${path.relative(dir, n.file)}: ${n.message}`)).toContain('docker/entrypoint.sh: skipped: a shell script that does not start gunicorn');
  });
});
