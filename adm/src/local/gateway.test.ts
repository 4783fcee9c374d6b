import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVICES } from '../catalog.js';
import { gatewayTemplatePath, renderTemplate, upstreamVarOf } from './gateway.js';

const vars = {
  TRELLIS_GATEWAY_LISTEN: '8080',
  TRELLIS_WEBUI_ROOT: '/usr/share/trellis/webui',
  ...Object.fromEntries(SERVICES.map((s) => [upstreamVarOf(s.name), `${s.name}:8080`])),
};

describe('the gateway template', () => {
  const template = readFileSync(gatewayTemplatePath(), 'utf8');

  it('uses exactly the documented variables', () => {
    const used = new Set([...template.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(Object.keys(vars).sort());
  });

  it('renders every placeholder and leaves nginx variables alone', () => {
    const rendered = renderTemplate(template, vars);
    expect(rendered).toContain('server action-builder:8080;');
    expect(rendered).toContain('listen 8080;');
    expect(rendered).toContain('alias /usr/share/trellis/webui/;');
    expect(rendered).toContain('$trellis_request_id');
    expect(rendered).not.toMatch(/\$\{TRELLIS_[A-Z]/);
  });

  it('refuses to render with a variable missing', () => {
    const { TRELLIS_WEBUI_ROOT: _, ...partial } = vars;
    expect(() => renderTemplate(template, partial)).toThrow(/no value for TRELLIS_WEBUI_ROOT/);
  });
});
