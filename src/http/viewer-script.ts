/**
 * The viewer page's browser script (inlined by `viewer.ts`). Plain ES2020, no
 * dependencies. It reads its configuration from the `#viewer-config` JSON block,
 * polls `status` once a second, and updates every camera card in place. All
 * device-supplied text goes through `textContent`, never `innerHTML`.
 */
export const VIEWER_SCRIPT = String.raw`
'use strict';
(function () {
  var config = JSON.parse(document.getElementById('viewer-config').textContent);
  var POLL_MS = 1000;
  var FRAMESIZES = [
    ['QQVGA', '160×120'], ['QCIF', '176×144'], ['HQVGA', '240×176'], ['QVGA', '320×240'],
    ['CIF', '400×296'], ['HVGA', '480×320'], ['VGA', '640×480'], ['SVGA', '800×600'],
    ['XGA', '1024×768'], ['HD', '1280×720'], ['SXGA', '1280×1024'], ['UXGA', '1600×1200'],
  ];
  var RANGES = {
    quality: [4, 63, 'lower is better'], brightness: [-2, 2], contrast: [-2, 2], saturation: [-2, 2],
    sharpness: [-2, 2], ae_level: [-2, 2], led_intensity: [0, 255], agc_gain: [0, 30], gainceiling: [0, 6],
    aec_value: [0, 1200],
  };
  var CHOICES = {
    special_effect: ['No effect', 'Negative', 'Grayscale', 'Red tint', 'Green tint', 'Blue tint', 'Sepia'],
    wb_mode: ['Auto', 'Sunny', 'Cloudy', 'Office', 'Home'],
  };
  var SWITCHES = ['hmirror', 'vflip', 'awb', 'awb_gain', 'agc', 'aec', 'aec2', 'dcw', 'bpc', 'wpc', 'raw_gma',
    'lenc', 'colorbar', 'stream'];
  var LABELS = {
    framesize: 'Resolution', quality: 'JPEG quality', brightness: 'Brightness', contrast: 'Contrast',
    saturation: 'Saturation', sharpness: 'Sharpness', hmirror: 'Mirror', vflip: 'Flip', awb: 'Auto white balance',
    awb_gain: 'AWB gain', agc: 'Auto gain', aec: 'Auto exposure', aec2: 'AEC DSP', dcw: 'Downsize (DCW)',
    bpc: 'Black pixel fix', wpc: 'White pixel fix', raw_gma: 'Raw gamma', lenc: 'Lens correction',
    colorbar: 'Colour bar', special_effect: 'Effect', wb_mode: 'WB mode', led_intensity: 'LED',
    ae_level: 'AE level', agc_gain: 'Gain', gainceiling: 'Gain ceiling', aec_value: 'Exposure',
    stream: 'Device streaming', info: 'Device info',
  };
  var HIDDEN_CONTROLS = { snapshot: true };

  var gw = document.getElementById('gw');
  var cams = config.cameras.map(function (c, i) { return setupCamera(c, i); });
  var byName = {};
  cams.forEach(function (cam) { byName[cam.name] = cam; });
  var liveOrder = cams.filter(function (cam) { return cam.live; });
  var pollFailed = false;

  function $(root, sel) { return root.querySelector(sel); }
  function fmt(n, digits) {
    return typeof n === 'number' && isFinite(n) ? n.toFixed(digits) : '–';
  }
  function count(n) { return typeof n === 'number' ? n.toLocaleString('en-US') : '–'; }
  function duration(s) {
    if (typeof s !== 'number' || !isFinite(s)) return '–';
    s = Math.floor(s);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d) return d + ' d ' + h + ' h';
    if (h) return h + ' h ' + m + ' min';
    if (m) return m + ' min ' + (s % 60) + ' s';
    return s + ' s';
  }
  function stamp() {
    var t = new Date();
    function p(n) { return String(n).padStart(2, '0'); }
    return t.getFullYear() + p(t.getMonth() + 1) + p(t.getDate()) + '-' + p(t.getHours()) + p(t.getMinutes()) +
      p(t.getSeconds());
  }
  function setText(el, text) { if (el.textContent !== text) el.textContent = text; }
  function withBust(url) { return url + (url.indexOf('?') < 0 ? '?' : '&') + '_=' + Date.now(); }

  function setupCamera(c, index) {
    var root = document.querySelector('[data-cam-index="' + index + '"]');
    var cam = {
      name: c.name, base: c.base, live: c.live, root: root, img: $(root, 'img.live'),
      badge: $(root, '.badge'), noSignal: $(root, '.nosignal'), why: $(root, '.nosignal .why'),
      sub: $(root, '.sub .where'), out: $(root, '.ctl-out'), form: $(root, '.ctl-form'),
      controlsBox: $(root, '.controls'), info: $(root, '.kv'), log: $(root, '.log'),
      modeNote: $(root, '.mode-note'), liveBtn: $(root, '.go-live'),
      stat: {}, controlsKey: null, shownChanges: 0, lastSample: '', lastTick: performance.now(),
      online: null, status: null,
    };
    root.querySelectorAll('[data-stat]').forEach(function (dd) { cam.stat[dd.getAttribute('data-stat')] = dd; });
    $(root, '.snap').addEventListener('click', function (ev) { snapshot(cam, ev.currentTarget); });
    cam.img.addEventListener('error', function () {
      // The stream ended (gateway restarted, network blip): try again shortly.
      if (cam.live) setTimeout(function () { restartStream(cam); }, 2000);
    });
    if (cam.liveBtn) cam.liveBtn.addEventListener('click', function () { goLive(cam); });
    sampleLoop(cam);
    return cam;
  }

  function restartStream(cam) {
    if (!cam.live) return;
    cam.img.src = withBust(cam.base + 'stream');
  }

  function goLive(cam) {
    if (cam.live) return;
    var demoted = liveOrder.length >= config.liveLimit ? liveOrder.shift() : null;
    if (demoted) setMode(demoted, false);
    setMode(cam, true);
    liveOrder.push(cam);
  }

  function setMode(cam, live) {
    cam.live = live;
    cam.img.src = live ? cam.base + 'stream' : withBust(cam.base + 'snapshot');
    if (cam.modeNote) cam.modeNote.hidden = live;
    if (cam.liveBtn) cam.liveBtn.hidden = live;
  }

  // "fps shown": how often the painted image actually changes, sampled once per
  // animation frame on a tiny canvas (an MJPEG <img> fires no per-frame event).
  function sampleLoop(cam) {
    var canvas = document.createElement('canvas');
    canvas.width = 24; canvas.height = 18;
    var ctx = canvas.getContext('2d', { willReadFrequently: true });
    function tick() {
      if (cam.img.naturalWidth > 0 && ctx) {
        try {
          ctx.drawImage(cam.img, 0, 0, canvas.width, canvas.height);
          var d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          var h = 0;
          for (var i = 0; i < d.length; i += 4) h = (Math.imul(h, 31) + d[i] + d[i + 1] + d[i + 2]) | 0;
          var key = String(h);
          if (key !== cam.lastSample) { cam.shownChanges++; cam.lastSample = key; }
        } catch (e) { ctx = null; }
      }
      requestAnimationFrame(tick);
    }
    requestAnimationFrame(tick);
  }

  function shownFps(cam) {
    var now = performance.now();
    var seconds = (now - cam.lastTick) / 1000;
    if (seconds < 0.5) return cam.lastShown; // too short a window to say
    cam.lastShown = cam.shownChanges / seconds;
    cam.shownChanges = 0;
    cam.lastTick = now;
    return cam.lastShown;
  }

  function controlUrl(cam, variable, value) {
    var q = 'var=' + encodeURIComponent(variable);
    if (value !== undefined) q += '&val=' + encodeURIComponent(value);
    return cam.base + 'control?' + q;
  }

  function report(cam, state, text) {
    cam.out.setAttribute('data-state', state);
    cam.out.textContent = text;
  }

  // Send one control; on refusal put the input back to what it showed before (the device kept that value).
  function sendControl(cam, variable, value, el, revert) {
    if (el) el.disabled = true;
    report(cam, 'busy', variable + (value === undefined ? '' : '=' + value) + ' …');
    return fetch(controlUrl(cam, variable, value), { method: 'POST', credentials: 'same-origin', cache: 'no-store' })
      .then(function (res) {
        return res.text().then(function (body) {
          var json = null;
          try { json = JSON.parse(body); } catch (e) { json = null; }
          var label = variable + (value === undefined ? '' : '=' + value) + ' → ';
          if (res.ok && json && json.ok !== false) return report(cam, 'ok', label + JSON.stringify(json));
          report(cam, 'error', label + res.status + ' ' + (json ? JSON.stringify(json) : body.slice(0, 200)));
          if (revert) revert();
        });
      })
      .catch(function (err) {
        report(cam, 'error', variable + ': ' + err.message);
        if (revert) revert();
      })
      .then(function () { if (el) el.disabled = false; });
  }

  function snapshot(cam, button) {
    button.disabled = true;
    fetch(cam.base + 'snapshot', { credentials: 'same-origin', cache: 'no-store' })
      .then(function (res) {
        if (!res.ok) {
          return res.text().then(function (t) { throw new Error('snapshot failed: ' + res.status + ' ' + t.slice(0, 200)); });
        }
        return res.blob();
      })
      .then(function (blob) {
        var a = document.createElement('a');
        a.href = URL.createObjectURL(blob);
        a.download = cam.name.replace(/[^A-Za-z0-9._-]+/g, '_') + '-' + stamp() + '.jpg';
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
        report(cam, 'ok', 'snapshot saved as ' + a.download);
      })
      .catch(function (err) { report(cam, 'error', err.message); })
      .then(function () { button.disabled = false; });
  }

  function controlId(cam, variable) { return 'ctl-' + cam.root.getAttribute('data-cam-index') + '-' + variable; }

  function addRow(cam, variable, input, valueEl) {
    var label = document.createElement('label');
    label.htmlFor = input.id = controlId(cam, variable);
    label.textContent = LABELS[variable] || variable;
    cam.form.appendChild(label);
    cam.form.appendChild(input);
    var v = valueEl || document.createElement('span');
    v.className = 'val';
    cam.form.appendChild(v);
  }

  // Select/range inputs: send on change, and go back to the last accepted value when refused.
  function remember(cam, variable, input, after) {
    var accepted = input.value;
    input.addEventListener('change', function () {
      var asked = input.value;
      sendControl(cam, variable, asked, input, function () {
        input.value = accepted;
        if (after) after();
      }).then(function () {
        if (input.value === asked) accepted = asked;
      });
    });
  }

  function buildControls(cam, controls, info) {
    cam.form.textContent = '';
    var current = info || {};
    controls.forEach(function (variable) {
      if (HIDDEN_CONTROLS[variable]) return;
      var input;
      if (variable === 'framesize') {
        input = document.createElement('select');
        var known = false;
        FRAMESIZES.forEach(function (f) {
          var o = document.createElement('option');
          o.value = f[0];
          o.textContent = f[0] + ' ' + f[1];
          if (String(current.framesize).toUpperCase() === f[0]) { o.selected = true; known = true; }
          input.appendChild(o);
        });
        if (!known) {
          var none = document.createElement('option');
          none.value = ''; none.textContent = current.framesize ? String(current.framesize) : '—'; none.selected = true;
          none.disabled = true;
          input.insertBefore(none, input.firstChild);
        }
        remember(cam, variable, input);
        addRow(cam, variable, input);
      } else if (RANGES[variable]) {
        var r = RANGES[variable];
        input = document.createElement('input');
        input.type = 'range'; input.min = r[0]; input.max = r[1]; input.step = 1;
        var start = typeof current[variable] === 'number' ? current[variable] : (variable === 'quality' ? 12 : 0);
        input.value = start;
        if (r[2]) input.title = r[2];
        var shown = document.createElement('output');
        shown.textContent = String(input.value);
        input.addEventListener('input', function () { shown.textContent = input.value; });
        remember(cam, variable, input, function () { shown.textContent = input.value; });
        addRow(cam, variable, input, shown);
      } else if (CHOICES[variable]) {
        input = document.createElement('select');
        CHOICES[variable].forEach(function (name, i) {
          var o = document.createElement('option');
          o.value = String(i); o.textContent = name;
          if (current[variable] === i) o.selected = true;
          input.appendChild(o);
        });
        remember(cam, variable, input);
        addRow(cam, variable, input);
      } else if (SWITCHES.indexOf(variable) >= 0) {
        input = document.createElement('input');
        input.type = 'checkbox';
        input.checked = variable === 'stream' ? current.stream !== 0 && current.stream !== false : !!current[variable];
        input.addEventListener('change', function () {
          sendControl(cam, variable, input.checked ? '1' : '0', input, function () { input.checked = !input.checked; });
        });
        addRow(cam, variable, input);
      } else if (variable === 'info') {
        input = document.createElement('button');
        input.type = 'button'; input.textContent = 'Ask device';
        input.addEventListener('click', function () { sendControl(cam, 'info', undefined, input); });
        addRow(cam, variable, input);
      } else {
        input = document.createElement('input');
        input.type = 'text'; input.placeholder = 'value, Enter to send';
        input.addEventListener('keydown', function (ev) {
          if (ev.key === 'Enter') { ev.preventDefault(); sendControl(cam, variable, input.value, input); }
        });
        addRow(cam, variable, input);
      }
    });
    cam.controlsBox.hidden = cam.form.childElementCount === 0;
  }

  function renderInfo(cam, s) {
    var rows = [];
    if (s.port) rows.push(['port', s.port]);
    rows.push(['protocol', s.detectedProtocol || (s.protocol === 'auto' ? 'detecting…' : s.protocol)]);
    if (s.info) Object.keys(s.info).forEach(function (k) {
      var v = s.info[k];
      rows.push([k, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
    });
    if (s.lastError) rows.push(['last error', s.lastError]);
    if (s.idle) rows.push(['idle stop', s.idle.stopAfterSeconds + ' s' + (s.idle.stopped ? ' (stopped)' : '')]);
    var key = JSON.stringify(rows);
    if (cam.infoKey === key) return;
    cam.infoKey = key;
    cam.info.textContent = '';
    rows.forEach(function (row) {
      var dt = document.createElement('dt'); dt.textContent = row[0];
      var dd = document.createElement('dd'); dd.textContent = row[1];
      cam.info.appendChild(dt); cam.info.appendChild(dd);
    });
  }

  function renderLogs(cam, logs) {
    var text = (logs || []).slice(-40).join('\n');
    if (cam.log.textContent === text) return;
    var atBottom = cam.log.scrollTop + cam.log.clientHeight >= cam.log.scrollHeight - 4;
    cam.log.textContent = text || '(no device log yet)';
    if (atBottom) cam.log.scrollTop = cam.log.scrollHeight;
  }

  function render(cam, s) {
    var wasOnline = cam.online;
    cam.status = s;
    cam.online = !!s.online;
    var idle = s.idle && s.idle.stopped;
    var state = cam.online ? (idle ? 'idle' : 'online') : 'offline';
    cam.badge.setAttribute('data-state', state);
    setText(cam.badge, state === 'idle' ? 'idle' : state);
    cam.noSignal.hidden = cam.online;
    setText(cam.why, cam.online ? '' : s.lastError || 'The camera is not connected.');
    setText(cam.sub, [s.port, s.detectedProtocol || s.protocol].filter(Boolean).join(' · '));
    var img = cam.img;
    // While offline the picture is the gateway's no-signal card: its size is not the camera's.
    var size = img.naturalWidth && cam.online ? img.naturalWidth + '×' + img.naturalHeight : '–';
    setText(cam.stat.size, size);
    setText(cam.stat.fps, fmt(s.fps && s.fps.received, 1));
    setText(cam.stat.shown, fmt(shownFps(cam), 1));
    setText(cam.stat.kbps, fmt(s.kBps, 1));
    setText(cam.stat.frames, count(s.frames));
    setText(cam.stat.dropped, count(s.deviceDrops));
    setText(cam.stat.crc, count(s.crcErrors));
    setText(cam.stat.clients, count(s.clients ? s.clients.length : undefined));
    cam.stat.size.title = size;
    cam.stat.dropped.setAttribute('data-alert', s.deviceDrops > 0 ? '1' : '0');
    cam.stat.crc.setAttribute('data-alert', s.crcErrors > 0 ? '1' : '0');
    var controls = (Array.isArray(s.controls) ? s.controls : []).map(function (c) { return c.name; });
    var key = controls.join(',');
    if (key !== cam.controlsKey) {
      cam.controlsKey = key;
      buildControls(cam, controls, s.info);
    }
    renderInfo(cam, s);
    renderLogs(cam, s.logs);
    if (!cam.live && cam.online) cam.img.src = withBust(cam.base + 'snapshot');
    // Back online after a gap, or the picture never arrived: reopen the stream.
    if (cam.live && cam.online && (wasOnline === false || (img.complete && !img.naturalWidth && s.frames > 0))) {
      restartStream(cam);
    }
  }

  function poll() {
    fetch('status', { credentials: 'same-origin', cache: 'no-store' })
      .then(function (res) {
        if (res.status === 401) throw new Error('sign-in needed: reload the page');
        if (!res.ok) throw new Error('status ' + res.status);
        return res.json();
      })
      .then(function (body) {
        var list = Array.isArray(body.cameras) ? body.cameras : [body];
        list.forEach(function (s) { if (s && byName[s.name]) render(byName[s.name], s); });
        var viewers = list.reduce(function (n, s) { return n + (s && s.clients ? s.clients.length : 0); }, 0);
        gw.setAttribute('data-state', 'up');
        setText(gw, 'v' + body.version + ' · up ' + duration(body.uptime) + ' · ' + viewers + ' viewer' +
          (viewers === 1 ? '' : 's'));
        if (pollFailed) cams.forEach(restartStream);
        pollFailed = false;
      })
      .catch(function (err) {
        pollFailed = true;
        gw.setAttribute('data-state', 'down');
        setText(gw, 'gateway unreachable (' + err.message + ')');
        cams.forEach(function (cam) {
          cam.badge.setAttribute('data-state', 'unknown');
          setText(cam.badge, 'unknown');
        });
      })
      .then(function () { setTimeout(poll, POLL_MS); });
  }
  poll();
})();
`;
