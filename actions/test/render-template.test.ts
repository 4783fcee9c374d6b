import { afterAll, describe, expect, it } from 'vitest';
import { cleanUpRuns, runStandardAction } from './support/run-action.js';

afterAll(cleanUpRuns);

describe('render-template', () => {
  it('fills a template with loops and filters', async () => {
    const run = await runStandardAction('render-template', {
      template: 'Hello {{ customer.name }}, {{ items | size }} items:{% for item in items %} {{ item.sku | upcase }}x{{ item.qty }}{% endfor %}',
      data: { customer: { name: 'Ada' }, items: [{ sku: 'a', qty: 2 }, { sku: 'b', qty: 1 }] },
    });
    expect(run.error).toBeNull();
    expect(run.outputs.text).toBe('Hello Ada, 2 items: Ax2 Bx1');
  });

  it('escapes values in html and leaves them alone in text', async () => {
    const data = { name: '<script>alert("x")</script>&' };
    const html = await runStandardAction('render-template', { template: '<p>{{ name }}</p>', data, format: 'html' });
    expect(html.outputs.text).toBe('<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;</p>');
    const text = await runStandardAction('render-template', { template: '{{ name }}', data });
    expect(text.outputs.text).toBe(data.name);
  });

  it('reports a broken template as bad_template with its line', async () => {
    const run = await runStandardAction('render-template', { template: 'first line\n{% if %}', data: {} });
    expect(run.error?.code).toBe('bad_template');
    expect(run.error?.message).toContain('line:2');
    const filter = await runStandardAction('render-template', { template: '{{ x | no_such_filter }}', data: {} });
    expect(filter.error?.code).toBe('bad_template');
  });

  it('reads no file from disk and no inherited property', async () => {
    const include = await runStandardAction('render-template', { template: "{% include '/etc/passwd' %}", data: {} });
    expect(include.error?.code).toBe('render_failed');
    expect(include.error?.message).not.toContain('root:');
    const proto = await runStandardAction('render-template', { template: '[{{ x.constructor }}][{{ x.__proto__ }}][{{ x.toString }}]', data: { x: { a: 1 } } });
    expect(proto.outputs.text).toBe('[][][]');
  });

  it('stops a template that allocates or loops too much with render_limit', async () => {
    const memory = await runStandardAction('render-template', {
      template: '{% assign s = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}',
      data: {},
    });
    expect(memory.error?.code).toBe('render_limit');
    const started = Date.now();
    const time = await runStandardAction('render-template', { template: '{% for a in (1..5000) %}{% for b in (1..5000) %}{% endfor %}{% endfor %}', data: {} });
    expect(time.error?.code).toBe('render_limit');
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
