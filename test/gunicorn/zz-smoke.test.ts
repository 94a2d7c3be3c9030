import { test } from 'vitest';
import { makeSourceFile } from '/work/main/src/nginx/tree.ts';
import { evaluateConfPy } from '/work/main/src/gunicorn/pyconf.ts';
test('smoke', () => {
  const src = `import multiprocessing
import os
from os import environ
_base = 2
WORKERS_PER_CORE = 2
workers = multiprocessing.cpu_count() * WORKERS_PER_CORE + 1
bind = ["0.0.0.0:%s" % os.environ.get("PORT", "8000"), f"unix:/run/{'app'}.sock"]
keepalive = int(os.getenv("KA", "5"))
timeout = 30; graceful_timeout = timeout // 2
worker_class = "gevent" if environ.get("ASYNC") else "sync"
a = b = 1
max_requests = 1000
max_requests += 200
wokers = 3
loglevel = '''debug'''
raw_env = [r'A=\\n', b'x'.decode()]
if os.environ.get("DEBUG"):
    reload = True
else:
    reload = False
def on_starting(server):
    print(a)
def post_forkk(server, worker): pass
threads = get_threads()
for i in range(3):
    preload_app = True
x = "{}:{}".format("h", 80)
`;
  const r = evaluateConfPy(makeSourceFile('gunicorn.conf.py', src), { env: { PORT: '9000', DEBUG: '1' }, cpus: 4 });
  for (const [k, v] of r.bindings) console.log(k, JSON.stringify(v.value), v.via, v.start);
  console.log(r.diagnostics);
});
