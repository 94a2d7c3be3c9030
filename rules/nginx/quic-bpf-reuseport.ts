import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/quic-bpf-reuseport',
    aliases: ['quic_bpf_reuseport'],
    category: 'security',
    severity: 'error',
    fix: 'none',
    summary: 'quic_bpf on with reuseport QUIC listeners and several workers: QUIC connections break after a reload',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    const wp = config.root.find((d) => d.name === 'worker_processes')?.args[0]?.value ?? '1';
    if (wp === '1') return {};
    // A reuseport QUIC listener may come after quic_bpf: both are gathered, reported after the walk.
    let quicReuse = false;
    const bpfOn: Directive[] = [];
    return {
      named: {
        listen(l) {
          if (!quicReuse && l.args.some((a) => a.value === 'quic') && l.args.some((a) => a.value === 'reuseport')) quicReuse = true;
        },
        quic_bpf(d) {
          if (d.args[0]?.value === 'on') bpfOn.push(d);
        },
      },
      done() {
        if (!quicReuse) return;
        for (const d of bpfOn) {
          ctx.report({
            node: d,
            message: `quic_bpf on with a reuseport QUIC listener and worker_processes ${wp}: after a reload the eBPF routing map goes stale and a large share of QUIC connections is dropped`,
          });
        }
      },
    };
  },
};
