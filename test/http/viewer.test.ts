import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { escapeHtml, LIVE_STREAM_LIMIT, viewerHtml } from '../../src/http/viewer.js';

interface PageConfig {
  cameras: { name: string; base: string; live: boolean }[];
  authRequired: boolean;
  liveLimit: number;
}

function pageConfig(html: string): PageConfig {
  const m = /<script type="application\/json" id="viewer-config">([^<]*)<\/script>/.exec(html);
  expect(m, 'the page embeds its configuration').not.toBeNull();
  return JSON.parse(m![1]!) as PageConfig;
}

function imgSources(html: string): string[] {
  return [...html.matchAll(/<img [^>]*src="([^"]*)"/g)].map((m) => m[1]!);
}

function inlineScripts(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
}

describe('viewerHtml', () => {
  it('shows one camera big, on the short routes, with a described image', () => {
    const html = viewerHtml({ cameras: ['desk'], authRequired: false });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('class="cams one"');
    expect(imgSources(html)).toEqual(['stream']);
    expect(html).toContain('alt="Live image from camera desk"');
    expect(html).toContain('<title>desk · cam-gateway</title>');
    expect(pageConfig(html).cameras).toEqual([{ name: 'desk', base: '', live: true }]);
  });

  it('shows several cameras as a grid, each on its own /cams/<name>/ routes', () => {
    const html = viewerHtml({ cameras: ['front door', 'garage'], authRequired: false });
    expect(html).toContain('class="cams grid"');
    expect(imgSources(html)).toEqual(['cams/front%20door/stream', 'cams/garage/stream']);
    expect(pageConfig(html).cameras.map((c) => c.base)).toEqual(['cams/front%20door/', 'cams/garage/']);
  });

  it(`keeps at most ${LIVE_STREAM_LIMIT} live streams (browser connection limit); the rest show snapshots`, () => {
    const names = Array.from({ length: 7 }, (_, i) => `cam${i}`);
    const html = viewerHtml({ cameras: names, authRequired: false });
    const sources = imgSources(html);
    expect(sources.filter((s) => s.endsWith('/stream'))).toHaveLength(LIVE_STREAM_LIMIT);
    expect(sources.slice(LIVE_STREAM_LIMIT)).toEqual([
      'cams/cam4/snapshot',
      'cams/cam5/snapshot',
      'cams/cam6/snapshot',
    ]);
    expect(pageConfig(html).cameras.map((c) => c.live)).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('escapes hostile camera names everywhere and round-trips them through the embedded config', () => {
    const evil = `<img src=x onerror=alert(1)>"'&</script><!--`;
    const html = viewerHtml({ cameras: [evil, 'ok'], authRequired: false });
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('onerror=alert(1)>');
    expect(html.match(/<\/script>/g)).toHaveLength(2); // the config block and the script, nothing injected
    expect(html).toContain(escapeHtml(evil));
    expect(pageConfig(html).cameras[0]!.name).toBe(evil);
    // the URL segment is percent-encoded, so the name cannot break out of the path either
    expect(imgSources(html)[0]).toBe(`cams/${escapeHtml(encodeURIComponent(evil))}/stream`);
  });

  it('says when the gateway is password protected', () => {
    expect(viewerHtml({ cameras: ['a'], authRequired: true })).toContain('password protected');
    expect(viewerHtml({ cameras: ['a'], authRequired: false })).not.toContain('password protected');
    expect(pageConfig(viewerHtml({ cameras: ['a'], authRequired: true })).authRequired).toBe(true);
  });

  it('explains an empty camera list instead of rendering an empty grid', () => {
    const html = viewerHtml({ cameras: [], authRequired: false });
    expect(html).toContain('No cameras are configured.');
    expect(imgSources(html)).toEqual([]);
  });

  it('is self-contained: no external scripts, styles, fonts or images', () => {
    const html = viewerHtml({ cameras: ['a', 'b'], authRequired: false });
    expect(html).not.toMatch(/<link\b/);
    expect(html).not.toMatch(/<script [^>]*src=/);
    expect(html).not.toMatch(/url\(/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('ships an inline script that parses', () => {
    const scripts = inlineScripts(viewerHtml({ cameras: ['a'], authRequired: false }));
    expect(scripts).toHaveLength(1);
    expect(() => new Script(scripts[0]!)).not.toThrow();
  });

  it('labels what assistive technology needs: stats, state badge, log', () => {
    const html = viewerHtml({ cameras: ['a'], authRequired: false });
    for (const stat of ['size', 'fps', 'shown', 'kbps', 'frames', 'dropped', 'crc', 'clients']) {
      expect(html).toContain(`data-stat="${stat}"`);
    }
    expect(html).toContain('role="status"');
    expect(html).toContain('aria-label="Device log of a"');
    expect(html).toContain('<html lang="en">');
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters and nothing else', () => {
    expect(escapeHtml(`a<b>c&d"e'f é`)).toBe('a&lt;b&gt;c&amp;d&quot;e&#39;f é');
  });
});
