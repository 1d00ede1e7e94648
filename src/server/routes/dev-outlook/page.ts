/**
 * The simulator's page. Its script builds the whole interface; the server's CSP allows only
 * scripts from this origin, so nothing here is inline script. Styles may be inline.
 */
export const simulatorPage = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Outlook host simulator · Worklink</title>
    <style>
      :root { color-scheme: light; --bg: #f5f5f5; --panel: #ffffff; --text: #242424; --muted: #616161;
        --border: #d1d1d1; --accent: #0f6cbd; --accent-text: #ffffff; --select: #ebf3fc; }
      body.dark { color-scheme: dark; --bg: #141414; --panel: #1f1f1f; --text: #ffffff; --muted: #adadad;
        --border: #3d3d3d; --accent: #479ef5; --accent-text: #000000; --select: #082338; }
      * { box-sizing: border-box; }
      body { margin: 0; font: 14px/1.4 "Segoe UI", system-ui, sans-serif; background: var(--bg); color: var(--text); }
      /* One column as tall as the window: the top bar, the switches and the log take their own height, wrapped
         or not, and the message area takes the rest, so the newest log line stays in view. */
      #simulator { height: 100vh; display: flex; flex-direction: column; }
      #simulator > header.bar, #simulator > .switches, #simulator > footer.log { flex: none; }
      header.bar { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; padding: 8px 12px;
        background: var(--accent); color: var(--accent-text); }
      header.bar h1 { font-size: 16px; margin: 0 12px 0 0; }
      header.bar label { display: inline-flex; gap: 4px; align-items: center; }
      .switches { display: flex; flex-wrap: wrap; gap: 12px; padding: 6px 12px; border-bottom: 1px solid var(--border);
        background: var(--panel); font-size: 13px; }
      .switches label { display: inline-flex; gap: 4px; align-items: center; }
      main.layout { display: grid; grid-template-columns: 280px minmax(360px, 1fr) auto;
        grid-template-rows: minmax(0, 1fr); gap: 0; flex: 1; min-height: 0; }
      nav.folder { border-right: 1px solid var(--border); overflow: auto; background: var(--panel); }
      nav.folder ul { list-style: none; margin: 0; padding: 0; }
      nav.folder li button { display: block; width: 100%; text-align: left; padding: 8px 10px; border: 0;
        border-bottom: 1px solid var(--border); background: transparent; color: inherit; font: inherit; cursor: pointer; }
      nav.folder li button[aria-current="true"] { background: var(--select); }
      nav.folder .from { font-weight: 600; display: block; }
      nav.folder .subject, nav.folder .date { display: block; color: var(--muted); font-size: 12px; }
      section.reading { overflow: auto; padding: 12px 16px; background: var(--panel); }
      section.reading h2 { font-size: 18px; margin: 0 0 8px; }
      .headers { color: var(--muted); font-size: 13px; margin-bottom: 12px; }
      .body { white-space: pre-wrap; border-top: 1px solid var(--border); padding-top: 12px; }
      .toolbar { display: flex; gap: 8px; flex-wrap: wrap; margin: 8px 0 12px; }
      button.action { padding: 5px 12px; border: 1px solid var(--border); border-radius: 4px; background: var(--panel);
        color: var(--text); font: inherit; cursor: pointer; }
      button.primary { background: var(--accent); color: var(--accent-text); border-color: var(--accent); }
      form.compose label { display: grid; grid-template-columns: 70px 1fr; align-items: center; gap: 8px; margin-bottom: 6px; }
      form.compose input, form.compose textarea { width: 100%; padding: 5px 6px; border: 1px solid var(--border);
        border-radius: 4px; background: var(--bg); color: var(--text); font: inherit; }
      form.compose textarea { min-height: 160px; }
      .notices { margin: 6px 0; }
      .notice { padding: 6px 10px; border-left: 3px solid var(--accent); background: var(--select); margin-bottom: 4px; }
      aside.pane { width: 380px; border-left: 1px solid var(--border); display: flex; flex-direction: column; background: var(--panel); }
      aside.pane[hidden] { display: none; }
      aside.pane .pane-title { display: flex; justify-content: space-between; align-items: center; padding: 6px 10px;
        border-bottom: 1px solid var(--border); font-weight: 600; }
      aside.pane iframe { flex: 1; border: 0; width: 100%; background: var(--panel); }
      footer.log { height: 90px; overflow: auto; border-top: 1px solid var(--border); padding: 4px 12px;
        font: 12px/1.4 ui-monospace, monospace; background: var(--panel); }
      footer.log p { margin: 0; }
      .overlay { position: fixed; inset: 0; background: rgba(0, 0, 0, 0.4); display: flex; align-items: center; justify-content: center; }
      .overlay[hidden] { display: none; }
      .dialog { width: 440px; max-width: 92vw; background: var(--panel); color: var(--text); border-radius: 8px; padding: 20px;
        box-shadow: 0 8px 32px rgba(0, 0, 0, 0.35); }
      .dialog h2 { font-size: 16px; margin: 0 0 12px; }
      .dialog .buttons { display: flex; justify-content: flex-end; gap: 8px; margin-top: 16px; }
      .status { font-size: 12px; }
      .hidden-runtime { position: absolute; width: 1px; height: 1px; border: 0; left: -10px; top: -10px; }
    </style>
  </head>
  <body>
    <div id="simulator"></div>
    <script src="/dev/outlook/simulator.js"></script>
  </body>
</html>
`;
