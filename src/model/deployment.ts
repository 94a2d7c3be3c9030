// Builds deployment models from the files a user names (or that discovery finds).

import type { GunicornApp } from '../gunicorn/types.js';
import type { NginxConfig } from '../nginx/tree.js';
import type { Deployment } from './types.js';
import { linkTargets, nginxTargets } from './link.js';

export function buildDeployment(nginx: NginxConfig | null, gunicorn: GunicornApp[]): Deployment {
  if (!nginx) return { nginx: null, gunicorn, links: [], unlinkedTargets: [] };
  const { links, unlinked } = linkTargets(nginxTargets(nginx), gunicorn);
  return { nginx, gunicorn, links, unlinkedTargets: unlinked };
}
