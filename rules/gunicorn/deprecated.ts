import type { Rule } from '../../src/lint/rule.js';
import { versionAtLeast } from '../../src/gunicorn/settings.js';
import { removeSetting, written } from './_shared.js';

export const rule: Rule = {
  meta: {
    id: 'gunicorn/deprecated',
    category: 'correctness',
    severity: 'info',
    fix: 'suggest',
    summary: 'deprecated gunicorn settings: ssl_version, the eventlet worker',
    needs: ['gunicorn'],
  },
  check(ctx) {
    for (const app of ctx.gunicorn) {
      const ssl = written(app, 'ssl_version');
      if (ssl && versionAtLeast(app.version, '21.0.0')) {
        const edit = removeSetting(app, 'ssl_version');
        ctx.report({
          origin: ssl.origin,
          message: 'ssl_version is deprecated (gunicorn 21+): the protocol is negotiated by the SSL context; set minimum versions in an ssl_context hook instead',
          ...(edit ? { fix: { description: 'remove ssl_version', edits: [edit] } } : {}),
        });
      }
      const cls = written(app, 'worker_class');
      // From 26.0 eventlet is gone and gunicorn/invalid-value reports it.
      if (cls && cls.value === 'eventlet' && !versionAtLeast(app.version, '26.0.0')) {
        ctx.report({
          origin: cls.origin,
          message: 'the eventlet worker is deprecated and removed in gunicorn 26.0 (eventlet itself is unmaintained); move to gevent or gthread',
        });
      }
    }
  },
};
