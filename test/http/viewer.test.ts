/**
 * The server side of the viewer page: the built `index.html` with its title and
 * config block filled in, and the built assets. Runs against `dist/web/`
 * (`npm run build`, which `npm test` runs first).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { escapeHtml, LIVE_STREAM_LIMIT, viewerAsset, viewerPage } from '../../src/http/viewer.js';

interface PageConfig {
  cameras: { name: string; base: string; live: boolean }[];
  authRequired: boolean;
  liveLimit: number;
}

const CONFIG_BLOCK = /<script type="application\/json" id="viewer-config">([^<]*)<\/script>/;

function pageConfig(html: string): PageConfig {
  const m = CONFIG_BLOCK.exec(html);
  expect(m, 'the page embeds its configuration').not.toBeNull();
  return JSON.parse(m![1]!) as PageConfig;
}

function title(html: string): string {
  return /<title>([^<]*)<\/title>/.exec(html)![1]!;
}

describe('viewerPage', () => {
  it('is the built index.html with the config block in place of its placeholder', () => {
    const html = viewerPage({ cameras: ['desk'], authRequired: false });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toContain('<!-- cam-gateway:config -->');
    expect(html.match(/id="viewer-config"/g)).toHaveLength(1);
    expect(pageConfig(html)).toEqual({
      cameras: [{ name: 'desk', base: '', live: true }],
      authRequired: false,
      liveLimit: LIVE_STREAM_LIMIT,
    });
    // Same page otherwise: the build copies src/web/index.html as it is.
    const source = readFileSync(new URL('../../src/web/index.html', import.meta.url), 'utf8');
    const block = CONFIG_BLOCK.exec(html)![0];
    expect(
      html.replace(block, '<!-- cam-gateway:config -->').replace(/<title>[^<]*</, '<title>cam-gateway<'),
    ).toBe(source);
  });

  it('loads its script and stylesheet by relative URLs (works under a reverse-proxy sub-path)', () => {
    const html = viewerPage({ cameras: ['a', 'b'], authRequired: false });
    expect(html).toContain('<script type="module" src="assets/viewer.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="assets/viewer.css">');
    expect(html).not.toMatch(/(src|href)="\//);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('uses the short routes for a one-camera gateway and /cams/<name>/ for several', () => {
    expect(pageConfig(viewerPage({ cameras: ['desk'], authRequired: false })).cameras[0]!.base).toBe('');
    const several = pageConfig(viewerPage({ cameras: ['front door', 'garage'], authRequired: false }));
    expect(several.cameras.map((c) => c.base)).toEqual(['cams/front%20door/', 'cams/garage/']);
  });

  it(`streams at most ${LIVE_STREAM_LIMIT} cameras live (browser connection limit); the rest show snapshots`, () => {
    const names = Array.from({ length: 7 }, (_, i) => `cam${i}`);
    const config = pageConfig(viewerPage({ cameras: names, authRequired: false }));
    expect(config.liveLimit).toBe(LIVE_STREAM_LIMIT);
    expect(config.cameras.map((c) => c.live)).toEqual([true, true, true, true, false, false, false]);
  });

  it('titles the page after a lone camera, HTML-escaped, and after the gateway otherwise', () => {
    expect(title(viewerPage({ cameras: ['desk'], authRequired: false }))).toBe('desk · cam-gateway');
    expect(title(viewerPage({ cameras: ['<b>&"cam"'], authRequired: false }))).toBe(
      '&lt;b&gt;&amp;&quot;cam&quot; · cam-gateway',
    );
    expect(title(viewerPage({ cameras: ['a', 'b'], authRequired: false }))).toBe('cam-gateway');
    expect(title(viewerPage({ cameras: [], authRequired: false }))).toBe('cam-gateway');
  });

  it('keeps hostile camera names inside the config block and round-trips them', () => {
    const evil = `</script><script>alert(1)</script><!-- \u2028\u2029 $& $' $1`;
    const html = viewerPage({ cameras: [evil, 'ok'], authRequired: false });
    const block = CONFIG_BLOCK.exec(html)![1]!;
    expect(block).not.toMatch(/[<>&\u2028\u2029]/);
    expect(html).not.toContain('alert(1)</script>');
    expect(html.match(/<\/script>/g)).toHaveLength(2); // the config block and the module script, nothing injected
    const config = pageConfig(html);
    expect(config.cameras[0]!.name).toBe(evil);
    expect(config.cameras[0]!.base).toBe(`cams/${encodeURIComponent(evil)}/`);
    // A lone camera's name goes into the title too: escaped there, `$` patterns taken literally.
    expect(title(viewerPage({ cameras: [evil], authRequired: false }))).toBe(
      `${escapeHtml(evil)} · cam-gateway`,
    );
  });

  it('tells the page whether the gateway is password protected', () => {
    expect(pageConfig(viewerPage({ cameras: ['a'], authRequired: true })).authRequired).toBe(true);
    expect(pageConfig(viewerPage({ cameras: ['a'], authRequired: false })).authRequired).toBe(false);
  });

  it('lists no cameras when none are configured (the page then says so)', () => {
    expect(pageConfig(viewerPage({ cameras: [], authRequired: false })).cameras).toEqual([]);
  });
});

describe('viewerAsset', () => {
  it('serves the built entry module, its imports and the stylesheet with their content types', () => {
    const entry = viewerAsset('assets/viewer.js')!;
    expect(entry.contentType).toBe('text/javascript; charset=utf-8');
    const code = Buffer.from(entry.body).toString('utf8');
    const imports = [...code.matchAll(/from '\.\/([\w.-]+\.js)'/g)].map((m) => m[1]!);
    expect(imports.length).toBeGreaterThan(0);
    for (const file of imports) expect(viewerAsset(`assets/${file}`), file).toBeDefined();
    expect(code).not.toContain('control/schema'); // type-only import: nothing of it reaches the browser
    const css = viewerAsset('/assets/viewer.css')!;
    expect(css.contentType).toBe('text/css; charset=utf-8');
    expect(Buffer.from(css.body).toString('utf8')).toContain('.nosignal');
  });

  it('caches what it read', () => {
    expect(viewerAsset('assets/viewer.js')).toBe(viewerAsset('assets/viewer.js'));
  });

  it('serves nothing else: unknown files, other types, other folders, path traversal', () => {
    for (const path of [
      'assets/nope.js',
      'assets/index.html',
      'assets/viewer.js.map',
      'viewer.js',
      'assets/',
      'assets/../package.json',
      '../package.json',
      'assets/..%2Fpackage.json',
      'assets/%2e%2e/package.json',
      'assets/sub/viewer.js',
      'assets\\viewer.js',
      'assets/.viewer.js',
    ]) {
      expect(viewerAsset(path), path).toBeUndefined();
    }
  });
});

describe('finding the built page', () => {
  type ViewerModule = typeof import('../../src/http/viewer.js');

  it('uses ../web/ beside the built module, and says to build when there is nothing there', async () => {
    const root = mkdtempSync(join(tmpdir(), 'viewer-dist-'));
    try {
      mkdirSync(join(root, 'http'));
      // The module on its own, where it would sit in dist/ (it imports only node: modules).
      const module = join(root, 'http', 'viewer.ts');
      copyFileSync(new URL('../../src/http/viewer.ts', import.meta.url), module);
      const bare = (await import(pathToFileURL(module).href)) as ViewerModule;
      expect(() => bare.viewerPage({ cameras: ['a'], authRequired: false })).toThrow(
        /^viewer assets missing: run npm run build$/,
      );

      mkdirSync(join(root, 'web'));
      writeFileSync(join(root, 'web', 'index.html'), '<title>x</title><!-- cam-gateway:config -->');
      writeFileSync(join(root, 'web', 'viewer.js'), 'export {};');
      const built = (await import(`${pathToFileURL(module).href}?again`)) as ViewerModule;
      expect(built.viewerPage({ cameras: ['a'], authRequired: false })).toMatch(
        /^<title>a · cam-gateway<\/title><script type="application\/json" id="viewer-config">/,
      );
      expect(built.viewerAsset('assets/viewer.js')?.body).toEqual(new TextEncoder().encode('export {};'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters and nothing else', () => {
    expect(escapeHtml(`a<b>c&d"e'f é`)).toBe('a&lt;b&gt;c&amp;d&quot;e&#39;f é');
  });
});
