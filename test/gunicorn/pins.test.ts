import { describe, expect, test } from 'vitest';
import { deploymentPins } from '../../src/gunicorn/pins.js';

describe('versions the deployment pins', () => {
  test('an nginx image tag in a Dockerfile FROM is the nginx version, suffix dropped', () => {
    expect(deploymentPins([{ path: '/d/Dockerfile', text: 'FROM nginx:1.25-alpine\nCOPY nginx.conf /etc/nginx/\n' }])).toEqual({
      nginx: { version: '1.25', origin: { file: '/d/Dockerfile', line: 1 } },
    });
    expect(deploymentPins([{ path: '/d/Dockerfile', text: 'FROM docker.io/nginx:1.31.3-alpine\n' }]).nginx?.version).toBe('1.31.3');
    expect(deploymentPins([{ path: '/d/Dockerfile', text: '# x\nFROM --platform=linux/amd64 nginxinc/nginx-unprivileged:1.27.0\n' }]).nginx).toEqual({ version: '1.27.0', origin: { file: '/d/Dockerfile', line: 2 } });
  });

  test('a compose image pins nginx', () => {
    const text = 'services:\n  app:\n    image: python:3.12\n  proxy:\n    image: "nginx:1.30.1"\n';
    expect(deploymentPins([{ path: '/d/docker-compose.yml', text }]).nginx).toEqual({ version: '1.30.1', origin: { file: '/d/docker-compose.yml', line: 5 } });
  });

  test('untagged, floating or variable tags pin nothing', () => {
    for (const from of ['nginx', 'nginx:latest', 'nginx:stable-alpine', 'nginx:${NGINX_VERSION}', 'nginx:1', 'mynginx:1.25', 'python:3.12']) {
      expect(deploymentPins([{ path: '/d/Dockerfile', text: `FROM ${from}\n` }]).nginx, from).toBeUndefined();
    }
  });

  test('pip install gunicorn==X in a Dockerfile RUN, across continuation lines', () => {
    const text = 'FROM python:3.12\nRUN pip install --no-cache-dir \\\n    flask==3.0 \\\n    "gunicorn[gevent]==22.0.0"\n';
    expect(deploymentPins([{ path: '/d/Dockerfile', text }]).gunicorn).toEqual({ version: '22.0.0', origin: { file: '/d/Dockerfile', line: 2 } });
  });

  test('a requirements file pins gunicorn; a range does not', () => {
    expect(deploymentPins([{ path: '/d/requirements.txt', text: 'django==5.0\ngunicorn==23.0.0  # server\n' }]).gunicorn).toEqual({ version: '23.0.0', origin: { file: '/d/requirements.txt', line: 2 } });
    expect(deploymentPins([{ path: '/d/requirements.txt', text: 'gunicorn>=22\n' }]).gunicorn).toBeUndefined();
    expect(deploymentPins([{ path: '/d/requirements.txt', text: 'gunicorn==22.*\n' }]).gunicorn).toBeUndefined();
    expect(deploymentPins([{ path: '/d/requirements.txt', text: '# gunicorn==19.0 was too old\n' }]).gunicorn).toBeUndefined();
  });

  test('pyproject and Pipfile pins', () => {
    expect(deploymentPins([{ path: '/d/pyproject.toml', text: '[project]\ndependencies = ["gunicorn==21.2.0"]\n' }]).gunicorn?.version).toBe('21.2.0');
    expect(deploymentPins([{ path: '/d/Pipfile', text: '[packages]\ngunicorn = "==22.0"\n' }]).gunicorn?.version).toBe('22.0');
  });

  test('other files and other packages named like gunicorn are ignored; the first pin wins', () => {
    expect(deploymentPins([{ path: '/d/README.md', text: 'pip install gunicorn==1.0\n' }])).toEqual({});
    expect(deploymentPins([{ path: '/d/requirements.txt', text: 'gunicorn-extras==2.0\n' }])).toEqual({});
    const pins = deploymentPins([
      { path: '/d/requirements.txt', text: 'gunicorn==23.0.0\n' },
      { path: '/d/Dockerfile', text: 'FROM python\nRUN pip install gunicorn==20.1.0\n' },
    ]);
    expect(pins.gunicorn?.origin.file).toBe('/d/requirements.txt');
  });
});
