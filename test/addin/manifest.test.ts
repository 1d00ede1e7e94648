import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatResults, validateManifest } from '../../scripts/validate-manifest.js';
import type { CheckResult } from '../../scripts/validate-manifest.js';

// These tests run the validator on a hand-made dist folder, so they do not depend on a build
// or on the handler's code. test/addin/build.test.ts runs it on the real build.
const rootDir = path.resolve(import.meta.dirname, '../..');
const realManifest = readFileSync(path.join(rootDir, 'manifest.xml'), 'utf8');
const OFFICE_JS = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';

const REGISTERING_SCRIPT = `(function () {
  var registered = function (event) { event.completed({ allowEvent: true }); };
  Office.actions.associate('onMessageSendHandler', registered);
})();
`;

let workDir: string;
let distDir: string;

function writeDist(files: Record<string, string | Buffer>): void {
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(distDir, name), content);
}

function writeDefaultDist(): void {
  rmSync(distDir, { recursive: true, force: true });
  mkdirSync(distDir, { recursive: true });
  cpSync(path.join(rootDir, 'assets'), path.join(distDir, 'assets'), { recursive: true });
  writeDist({
    'launchevent.js': REGISTERING_SCRIPT,
    'launchevent.html': `<!doctype html><html><head><script src="${OFFICE_JS}"></script></head><body><script src="launchevent.js"></script></body></html>`,
    'taskpane.html': `<!doctype html><html><head><script src="${OFFICE_JS}"></script></head><body><script src="taskpane.js"></script></body></html>`,
    'support.html': '<!doctype html><title>Support</title>',
  });
}

/** Writes `xml` as a manifest next to the fixture dist folder and validates it. */
async function validate(xml: string): Promise<CheckResult[]> {
  const manifestPath = path.join(workDir, 'manifest.xml');
  writeFileSync(manifestPath, xml);
  return validateManifest({ manifestPath, distDir });
}

function errorsOf(results: CheckResult[]): string[] {
  return results.flatMap((result) => result.errors);
}

function failedChecks(results: CheckResult[]): string[] {
  return results.filter((result) => result.errors.length > 0).map((result) => result.name);
}

/** Replaces exactly one occurrence of `search`, so that a test fails loudly when the manifest changes shape. */
function replaceOnce(xml: string, search: string, replacement: string): string {
  const first = xml.indexOf(search);
  expect(first, `manifest.xml should contain ${search}`).toBeGreaterThanOrEqual(0);
  expect(xml.indexOf(search, first + 1), `manifest.xml should contain ${search} once`).toBe(-1);
  return xml.slice(0, first) + replacement + xml.slice(first + search.length);
}

beforeAll(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'worklink-manifest-'));
  distDir = path.join(workDir, 'dist');
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('validate-manifest on the real manifest', () => {
  beforeAll(writeDefaultDist);

  it('passes every check', async () => {
    const results = await validate(realManifest);

    expect(errorsOf(results)).toEqual([]);
    expect(results.map((result) => result.name)).toContain('launch-event script');
    expect(formatResults(results)).toMatch(/All \d+ checks passed\./);
  });

  it('reports the script size and the registered handler', async () => {
    const notes = (await validate(realManifest)).flatMap((result) => result.notes);

    expect(notes).toContain('launchevent.js registers onMessageSendHandler');
    expect(notes.some((note) => /launchevent\.js is \d+ bytes gzip -9/.test(note))).toBe(true);
    expect(notes).toContain('icon-16.png 16x16');
  });
});

describe('validate-manifest from the command line', () => {
  beforeAll(writeDefaultDist);

  const script = path.join(rootDir, 'scripts/validate-manifest.ts');
  const manifestPath = path.join(rootDir, 'manifest.xml');
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), script, ...args], { encoding: 'utf8' });

  it('takes the manifest as a positional path', () => {
    const result = run([manifestPath, '--dist', distDir]);

    expect(result.stdout).toContain(`Validating ${path.relative(process.cwd(), manifestPath)}`);
    expect(result.status, result.stderr).toBe(0);
  });

  it('prints the usage for two manifests', () => {
    const result = run([manifestPath, manifestPath]);

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Expected one manifest path, got 2');
    expect(result.stderr).toContain('Usage: npm run validate');
  });
});

describe('validate-manifest on broken manifests', () => {
  beforeAll(writeDefaultDist);

  it('rejects XML that is not well-formed', async () => {
    const results = await validate(realManifest.replace('</OfficeApp>', ''));

    expect(results).toHaveLength(1);
    expect(failedChecks(results)).toEqual(['well-formed XML']);
    expect(errorsOf(results)[0]).toMatch(/^WORKLINK_MANIFEST_NOT_WELL_FORMED: .*manifest\.xml is not well-formed XML/);
  });

  it('rejects a resid that names no resource', async () => {
    const xml = replaceOnce(realManifest, '<Label resid="ReadPaneButton.Label"/>', '<Label resid="Missing.Label"/>');
    const results = await validate(xml);

    expect(failedChecks(results)).toEqual(['resource ids']);
    expect(errorsOf(results)).toEqual([
      expect.stringMatching(
        /^WORKLINK_MANIFEST_RESID_MISSING: <Label resid="Missing.Label"> \(line \d+\) names resource "Missing.Label"/,
      ),
    ]);
  });

  it('rejects a resid that names a resource of the wrong kind', async () => {
    const xml = replaceOnce(realManifest, '<Label resid="ReadPaneButton.Label"/>', '<Label resid="Taskpane.Url"/>');
    const errors = errorsOf(await validate(xml));

    expect(errors).toEqual([
      expect.stringMatching(
        /^WORKLINK_MANIFEST_RESID_WRONG_KIND: .*needs a ShortString, but "Taskpane.Url" is declared as Url/,
      ),
    ]);
  });

  it('rejects children out of schema order', async () => {
    const permissions = '  <Permissions>ReadWriteItem</Permissions>\n';
    const withoutPermissions = replaceOnce(realManifest, permissions, '');
    const xml = replaceOnce(withoutPermissions, '  <FormSettings>', `${permissions}  <FormSettings>`);
    const results = await validate(xml);

    expect(failedChecks(results)).toEqual(['element order']);
    expect(errorsOf(results)).toEqual([
      expect.stringMatching(
        /^WORKLINK_MANIFEST_ELEMENT_ORDER: <FormSettings> \(line \d+\) comes after <Permissions> in <OfficeApp xsi:type="MailApp">/,
      ),
    ]);
  });

  it('rejects a LaunchEvents element after its SourceLocation', async () => {
    const launchEvents = realManifest.match(/ *<LaunchEvents>[\s\S]*?<\/LaunchEvents>\n/)?.[0] ?? '';
    const source = '              <SourceLocation resid="WebViewRuntime.Url"/>\n';
    const xml = replaceOnce(replaceOnce(realManifest, launchEvents, ''), source, source + launchEvents);
    const errors = errorsOf(await validate(xml));

    expect(errors).toEqual([
      expect.stringMatching(
        /^WORKLINK_MANIFEST_ELEMENT_ORDER: <LaunchEvents> \(line \d+\) comes after <SourceLocation> in <ExtensionPoint xsi:type="LaunchEvent">/,
      ),
    ]);
  });

  it('rejects an element that the parent does not allow', async () => {
    const xml = replaceOnce(
      realManifest,
      '<ProviderName>Worklink</ProviderName>',
      '<ProviderName>Worklink</ProviderName><Vendor>x</Vendor>',
    );
    const errors = errorsOf(await validate(xml));

    expect(errors).toEqual([
      expect.stringMatching(
        /^WORKLINK_MANIFEST_UNKNOWN_ELEMENT: <Vendor> \(line \d+\) is not a child that <OfficeApp xsi:type="MailApp">/,
      ),
    ]);
  });

  it('rejects a string resource without a pl-PL override', async () => {
    const xml = replaceOnce(realManifest, '<bt:Override Locale="pl-PL" Value="Powiąż zgłoszenia"/>', '');
    const results = await validate(xml);

    expect(failedChecks(results)).toEqual(['pl-PL translations']);
    expect(errorsOf(results)).toEqual([
      expect.stringMatching(
        /^WORKLINK_MANIFEST_TRANSLATION_MISSING: <bt:String id="ComposePaneButton.Label"> \(line \d+\) has no pl-PL <Override>/,
      ),
    ]);
  });

  it('rejects a DisplayName whose only override is another locale', async () => {
    const xml = replaceOnce(
      realManifest,
      '<Override Locale="pl-PL" Value="Worklink"/>',
      '<Override Locale="de-DE" Value="Worklink"/>',
    );
    const errors = errorsOf(await validate(xml));

    expect(errors).toEqual([expect.stringMatching(/^WORKLINK_MANIFEST_TRANSLATION_MISSING: <DisplayName> /)]);
  });

  it('rejects a string longer than the schema allows', async () => {
    const xml = replaceOnce(realManifest, 'DefaultValue="Link work items"', `DefaultValue="${'x'.repeat(126)}"`);
    const errors = errorsOf(await validate(xml));

    expect(errors).toEqual([
      expect.stringMatching(
        /^WORKLINK_MANIFEST_STRING_TOO_LONG: .* is 126 characters, over the schema's maximum of 125/,
      ),
    ]);
  });

  it('rejects a URL to a file that is not built', async () => {
    const xml = replaceOnce(
      realManifest,
      'DefaultValue="https://localhost:3000/taskpane.html"/>\n        </bt:Urls>',
      'DefaultValue="https://localhost:3000/pane-v2.html"/>\n        </bt:Urls>',
    );
    const results = await validate(xml);

    expect(failedChecks(results)).toEqual(['URLs name built files']);
    expect(errorsOf(results)).toEqual([
      expect.stringMatching(
        /^WORKLINK_MANIFEST_URL_NOT_BUILT: <bt:Url id="Taskpane.Url"> .*points to https:\/\/localhost:3000\/pane-v2.html, but .*pane-v2.html is not a file/,
      ),
    ]);
  });

  it('rejects plain http and mixed origins', async () => {
    const xml = replaceOnce(
      realManifest,
      '"https://localhost:3000/assets/icon-16.png"',
      '"http://127.0.0.1:3000/assets/icon-16.png"',
    );
    const errors = errorsOf(await validate(xml));

    expect(errors).toContainEqual(
      expect.stringMatching(/^WORKLINK_MANIFEST_URL_NOT_HTTPS: <bt:Image id="Icon.16x16">/),
    );
    expect(errors).toContainEqual(
      expect.stringMatching(/^WORKLINK_MANIFEST_ORIGIN_MIXED: the add-in files are named on 2 origins/),
    );
  });

  it('rejects a path that leaves the dist folder', async () => {
    const xml = replaceOnce(
      realManifest,
      'https://localhost:3000/launchevent.js',
      'https://localhost:3000/..%2Fmanifest.xml',
    );
    const errors = errorsOf(await validate(xml));

    expect(errors).toContainEqual(
      expect.stringMatching(/^WORKLINK_MANIFEST_URL_NOT_BUILT: <bt:Url id="JSRuntime.Url">/),
    );
  });

  it('rejects a LaunchEvent source other than the runtime', async () => {
    const xml = replaceOnce(
      realManifest,
      '<SourceLocation resid="WebViewRuntime.Url"/>',
      '<SourceLocation resid="Taskpane.Url"/>',
    );
    const errors = errorsOf(await validate(xml));

    expect(errors).toEqual([expect.stringMatching(/^WORKLINK_MANIFEST_RUNTIME_MISMATCH: /)]);
  });

  it('rejects a renamed compose button', async () => {
    const xml = replaceOnce(realManifest, 'id="WorklinkComposePaneButton"', 'id="ComposeButton"');
    const errors = errorsOf(await validate(xml));

    expect(errors).toEqual([
      expect.stringMatching(/^WORKLINK_MANIFEST_CONTROL_MISSING: no <Control id="WorklinkComposePaneButton">/),
    ]);
  });

  it('rejects a SendMode other than PromptUser', async () => {
    const xml = replaceOnce(realManifest, 'SendMode="PromptUser"', 'SendMode="Block"');
    const errors = errorsOf(await validate(xml));

    expect(errors).toEqual([expect.stringMatching(/^WORKLINK_MANIFEST_SEND_MODE: .*SendMode="Block"/)]);
  });

  it('rejects a FunctionName that the script does not register', async () => {
    const xml = replaceOnce(realManifest, 'FunctionName="onMessageSendHandler"', 'FunctionName="onSend"');
    const results = await validate(xml);

    expect(failedChecks(results)).toEqual(['launch-event script']);
    expect(errorsOf(results)).toEqual([
      expect.stringMatching(
        /^WORKLINK_LAUNCH_EVENT_NOT_REGISTERED: the manifest's FunctionName "onSend" is not registered by launchevent.js \(registered: onMessageSendHandler\)/,
      ),
    ]);
  });
});

describe('validate-manifest on broken builds', () => {
  beforeEach(writeDefaultDist);

  it('rejects an icon of the wrong size', async () => {
    const png = new PNG({ width: 20, height: 20 });
    writeDist({ 'assets/icon-16.png': PNG.sync.write(png) });
    const results = await validate(realManifest);

    expect(failedChecks(results)).toEqual(['icon sizes']);
    expect(errorsOf(results)).toEqual([
      expect.stringMatching(
        /^WORKLINK_MANIFEST_ICON_SIZE: https:\/\/localhost:3000\/assets\/icon-16.png is 20x20 px, but the manifest declares 16x16/,
      ),
    ]);
  });

  it('rejects an icon that is not a PNG', async () => {
    writeDist({ 'assets/icon-80.png': 'not an image' });
    const errors = errorsOf(await validate(realManifest));

    expect(errors).toEqual([
      expect.stringMatching(/^WORKLINK_MANIFEST_ICON_NOT_PNG: https:\/\/localhost:3000\/assets\/icon-80.png/),
    ]);
  });

  it('rejects a script with syntax newer than ES2016', async () => {
    writeDist({ 'launchevent.js': `async function later() {}\n${REGISTERING_SCRIPT}` });
    const errors = errorsOf(await validate(realManifest));

    expect(errors).toEqual([
      expect.stringMatching(
        /^WORKLINK_LAUNCH_EVENT_NOT_ES2016: launchevent.js does not parse as an ES2016 classic script/,
      ),
    ]);
  });

  it('rejects a script with module syntax', async () => {
    writeDist({ 'launchevent.js': `export const unused = 1;\n${REGISTERING_SCRIPT}` });
    const errors = errorsOf(await validate(realManifest));

    expect(errors).toContainEqual(expect.stringMatching(/^WORKLINK_LAUNCH_EVENT_NOT_ES2016: /));
  });

  it('rejects a script over the gzip budget', async () => {
    // Random base64 barely compresses, so 140 000 bytes of it stay above 100 KiB after gzip -9.
    const padding = randomBytes(105_000).toString('base64');
    writeDist({ 'launchevent.js': `var padding = '${padding}';\n${REGISTERING_SCRIPT}` });
    const errors = errorsOf(await validate(realManifest));

    expect(errors).toEqual([
      expect.stringMatching(
        /^WORKLINK_BUNDLE_TOO_LARGE: launchevent.js is \d+ bytes gzip -9, over the budget of 102400/,
      ),
    ]);
  });

  it('rejects a script that does not register the handler', async () => {
    writeDist({ 'launchevent.js': 'var nothing = 1;\n' });
    const errors = errorsOf(await validate(realManifest));

    expect(errors).toEqual([expect.stringMatching(/^WORKLINK_LAUNCH_EVENT_NOT_REGISTERED: .*\(registered: none\)/)]);
  });

  it('reports a script that throws at load time', async () => {
    writeDist({ 'launchevent.js': 'Office.context.mailbox.item.to.getAsync(function () {});\n' });
    const errors = errorsOf(await validate(realManifest));

    expect(errors).toEqual([
      expect.stringMatching(
        /^WORKLINK_LAUNCH_EVENT_LOAD_FAILED: loading launchevent.js with a fake Office object threw/,
      ),
    ]);
  });

  it('gives the script no network access at load time', async () => {
    writeDist({ 'launchevent.js': `fetch('https://127.0.0.1:9/');\n${REGISTERING_SCRIPT}` });
    const errors = errorsOf(await validate(realManifest));

    expect(errors).toEqual([expect.stringMatching(/^WORKLINK_LAUNCH_EVENT_LOAD_FAILED: .*fetch is not defined/)]);
  });

  it('rejects a runtime page that loads the script as a module or first', async () => {
    writeDist({
      'launchevent.html': `<html><head><script type="module" src="launchevent.js"></script><script src="${OFFICE_JS}"></script></head></html>`,
    });
    const errors = errorsOf(await validate(realManifest));

    expect(errors).toContainEqual(expect.stringMatching(/^WORKLINK_RUNTIME_PAGE_ORDER: /));
    expect(errors).toContainEqual(expect.stringMatching(/^WORKLINK_RUNTIME_PAGE_NOT_CLASSIC: .*type="module"/));
  });

  it('rejects a runtime page without Office.js', async () => {
    writeDist({ 'launchevent.html': '<html><body><script src="launchevent.js"></script></body></html>' });
    const errors = errorsOf(await validate(realManifest));

    expect(errors).toEqual([expect.stringMatching(/^WORKLINK_RUNTIME_PAGE_OFFICE_JS: /)]);
  });
});
