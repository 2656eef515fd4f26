// The lab page: renders what GET /events pushes (the pods, the balancer's endpoints, a run's progress), runs
// experiments through the JSON API, and calls the local cluster's controls.
'use strict';

const $ = id => document.getElementById(id);
const view = { mode: null, status: null, cluster: null, run: null };
const LB_CHOICES = ['round_robin', 'least_request', 'peak_ewma', 'weighted_round_robin'];
const BALANCING = ['ClientWithKubeResolver', 'ClientWithDnsResolver']; // the types an lb= means something for
const KEEP_SECONDS = 120;
const RECONNECT_MS = 500;
const RECONNECT_MAX_MS = 10000;
const TOKEN_KEY = 'grpc-lb-lab-token';
let stream = null; // the one GET /events being read: a new connect() aborts it
let reconnectMs = RECONNECT_MS;

/** The headers of every API call: JSON, and the bearer token when the API asked for one (--api-token). */
function headers() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) };
}

/** fetch with the API's headers; a 401 asks for the token. */
async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...headers(), ...(options.headers || {}) } });
  if (response.status === 401) askToken();
  return response;
}

function askToken() {
  live(false);
  $('token-form').hidden = false;
  $('token').focus();
}

/**
 * GET /events as Server-Sent Events, read through fetch (EventSource cannot send the token): messages apart by a
 * blank line, each "event:" and "data:" lines. One stream at a time; when it ends it reconnects, backing off to
 * 10 s while the lab is away, and stops on an answer that waiting will not change (401 asks for the token).
 */
async function connect() {
  if (stream) stream.abort();
  const mine = new AbortController();
  stream = mine;
  try {
    const response = await api('/events', { signal: mine.signal });
    if (response.status === 401) return; // connect() again once the token is given
    if (response.status === 403 || response.status === 421) {
      say(`the lab refuses this page: ${(await response.json()).error}`, true);
      return;
    }
    if (!response.ok || !response.body) throw new Error(`GET /events answered ${response.status}`);
    live(true);
    reconnectMs = RECONNECT_MS;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value.replaceAll('\r\n', '\n');
      let end;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        dispatch(buffered.slice(0, end));
        buffered = buffered.slice(end + 2);
      }
    }
  } catch (err) {
    if (mine.signal.aborted) return; // a newer connect() took over
  }
  if (stream !== mine) return;
  live(false);
  setTimeout(connect, reconnectMs);
  reconnectMs = Math.min(2 * reconnectMs, RECONNECT_MAX_MS);
}

/** One message: its event name and its data lines, joined as SSE joins them. */
function dispatch(message) {
  let event = 'message';
  const data = [];
  message.split('\n').forEach(line => {
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    if (field === 'data') data.push(value);
  });
  try {
    if (event === 'state') render(JSON.parse(data.join('\n')));
    if (event === 'progress') progressed(JSON.parse(data.join('\n')));
  } catch (err) {
    say(`the page could not show an update: ${err}`, true); // a bug here must not look like a lost connection
  }
}

function live(on) {
  $('live').textContent = on ? 'live' : 'reconnecting…';
  $('live').classList.toggle('off', !on);
}

function say(text, error = false) {
  $('message').textContent = text;
  $('message').title = text;
  $('message').classList.toggle('error', error);
}

// ---- what the server pushes ------------------------------------------------------------------------------

function render(state) {
  view.mode = state.mode;
  view.status = state.status;
  view.cluster = state.cluster;
  const local = state.mode === 'local';
  $('mode').textContent = local ? 'local cluster' : 'client in a real cluster';
  $('pods-source').textContent = local ? 'the local cluster (GET /cluster)'
    : 'from the EndpointSlices: use kubectl for the rest';
  $('cluster-controls').classList.toggle('disabled', !local);
  $('cluster-controls').querySelectorAll('button, input').forEach(c => { c.disabled = !local; });
  const rolling = local && state.cluster.rollout_in_progress;
  $('rollout').disabled = !local || rolling;
  $('rollout').textContent = rolling ? 'rolling out…' : 'roll out';
  $('kubectl-hint').hidden = local;
  if (local && document.activeElement !== $('replicas')) $('replicas').value = state.cluster.replicas;
  if (!local) {
    const commands = Object.entries(kubectl('NAME', 'N'));
    const width = Math.max(...commands.map(([action]) => action.length));
    $('kubectl-commands').textContent = commands.map(([action, c]) => `${action.padEnd(width)}  ${c}`).join('\n');
  }
  fillTypes(state.status.types);
  renderPods();
  renderEndpoints();
  renderTypes();
}

function progressed(p) {
  if (!view.run || view.run.id !== p.run) {
    view.run = { id: p.run, seconds: new Map() };
  }
  Object.assign(view.run, { type: p.type, n: p.n, ended: p.ended, perIp: p.per_ip });
  p.seconds.forEach(s => view.run.seconds.set(s.second, s));
  $('progress').textContent = `run ${p.run}: ${p.type} · ${p.done}/${p.n} calls · ${timeLeft(p)} · ${p.ok} ok · `
    + `${p.failed} failed` + (p.ended ? '' : ` · ${p.in_flight} in flight`);
  const bar = $('run-bar');
  bar.hidden = false;
  bar.value = p.n ? p.done / p.n : 1;
  $('stop').disabled = p.ended;
  renderPods();
  drawCharts();
}

/** "2.1 s left", "ended after 3.0 s", or, before a burst's first reply, "time left unknown yet". */
function timeLeft(p) {
  if (p.ended) return `ended after ${duration(p.elapsed_ms)}`;
  return p.left_ms == null ? 'time left unknown yet' : `${duration(p.left_ms)} left`;
}

/** Tenths of a second below 10 s, whole seconds below 2 min, then minutes. */
function duration(ms) {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  return ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}

// ---- pods ------------------------------------------------------------------------------------------------

/** The pods: the local cluster's, or in a real cluster those the EndpointSlices name. */
function pods() {
  if (view.cluster) {
    return view.cluster.pods.map(p => ({
      name: p.name, ip: p.ip, zone: p.zone || '—', connections: p.connections,
      inFlight: p.in_flight, served: p.calls, delay: `${p.delay_ms} ms`,
      errorRate: p.error_rate > 0 ? `${percent(p.error_rate)} ${p.error_status}` : '0 %',
      failedOnPurpose: p.calls_failed_on_purpose, frozen: p.frozen, frozenSince: p.frozen_since,
      capacity: p.capacity,
      state: p.terminating ? 'terminating' : p.crashed ? 'crashed' : p.frozen ? (p.ready ? 'frozen' : 'node lost')
        : p.ready ? 'ready' : 'starting',
    }));
  }
  const endpoints = (view.status.kubernetes && view.status.kubernetes.endpoints) || [];
  return endpoints.map(e => ({
    name: e.pod || e.ip, ip: e.ip, zone: e.zone || '—', connections: '—',
    inFlight: e.in_flight, served: '—', delay: '—', errorRate: '—',
    state: e.terminating ? 'terminating' : e.ready ? 'ready' : 'not ready',
  }));
}

const STATE_TITLES = {
  crashed: 'killed: its calls failed; its endpoint stays ready until the kubelet notices (1 s)',
  terminating: 'draining its calls in flight; its endpoint is no longer ready',
  frozen: 'frozen: silent on every connection, sockets open; its endpoint stays ready until the node controller notices',
  'node lost': 'frozen past the node-monitor grace period: not ready and replaced; unfreeze brings it back',
};

function renderPods() {
  if (!view.status) return;
  const local = view.mode === 'local';
  keyedRows($('pods').tBodies[0], pods(), p => p.name, podRow, (row, p) => {
    const calls = view.run && view.run.perIp[p.ip];
    row.dataset.ip = p.ip;
    cell(row, 'ip', p.ip);
    cell(row, 'state', p.state, `state-${p.state.split(' ')[0]}`).title = (STATE_TITLES[p.state] || '')
      + (p.frozenSince ? ` (frozen since ${p.frozenSince})` : '');
    row.dataset.frozen = String(Boolean(p.frozen));
    cell(row, 'zone', p.zone);
    cell(row, 'connections', String(p.connections));
    cell(row, 'in-flight', String(p.inFlight));
    cell(row, 'served', String(p.served));
    cell(row, 'delay', p.delay);
    cell(row, 'error-rate', p.errorRate).title = p.failedOnPurpose === undefined ? ''
      : `failed on purpose so far: ${p.failedOnPurpose}`;
    renderLoad(row, p.capacity);
    cell(row, 'this-run', view.run ? String(calls ? calls.ok : 0) : '—');
    cell(row, 'run-errors', view.run ? String(calls ? calls.errors : 0) : '—');
    const commands = kubectl(p.name, 'N');
    row.querySelectorAll('button').forEach(b => {
      const action = b.dataset.action;
      b.disabled = !local || p.state === 'terminating' || (action === 'kill' && p.state !== 'ready')
        || (action === 'freeze' && !p.frozen && p.state !== 'ready');
      b.title = local ? '' : `in a real cluster: ${commands[action]}`;
      if (action === 'freeze') b.textContent = p.frozen ? 'unfreeze' : 'freeze';
    });
  }, local ? 'no pods: scale up' : 'no pods known: the EndpointSlices name none (or there is no Kubernetes API)');
}

/** A pod's queue and how busy it is (GET /cluster's capacity); a real cluster's pods show none. */
function renderLoad(row, c) {
  if (!c) {
    cell(row, 'queue', '—');
    cell(row, 'busy', '—');
    return;
  }
  const limit = c.c === 0 ? 'unlimited capacity' : `capacity ${c.c}, queue ${c.queue === null ? 'unlimited' : `of at most ${c.queue}`}`;
  cell(row, 'queue', String(c.queue_length)).title = `${limit}, ${c.service_time} service time; `
    + `queue wait p99 ${Math.round(c.queue_wait_p99_ms)} ms; refused so far: ${c.refused}`;
  cell(row, 'busy', c.c === 0 ? '—' : percent(c.utilization)).title = `${c.in_service} in service`
    + (c.c === 0 ? ' (unlimited capacity: never busy)' : ` of ${c.c}; ${percent(c.mean_utilization)} over the last seconds`);
}

function podRow(p) {
  const row = document.createElement('tr');
  row.dataset.pod = p.name;
  const numbers = ['connections', 'in-flight', 'served', 'delay', 'error-rate', 'queue', 'busy', 'this-run', 'run-errors'];
  ['name', 'ip', 'state', 'zone', ...numbers, 'actions'].forEach(name => {
    const td = document.createElement('td');
    td.className = name;
    if (numbers.includes(name)) td.classList.add('num');
    row.appendChild(td);
  });
  row.querySelector('.name').textContent = p.name;
  const actions = row.querySelector('.actions');
  const pod = encodeURIComponent(p.name);
  actions.append(
    button('slow', 'slow', () => act('POST', `/cluster/pods/${pod}/delay?ms=${$('delay-ms').value}`,
      `slow ${p.name} to ${$('delay-ms').value} ms`)),
    button('fail', 'errors', () => act('POST', `/cluster/pods/${pod}/errors?rate=${$('error-rate').value}`,
      `fail ${$('error-rate').value} of ${p.name}'s calls`)),
    button('kill', 'kill', () => act('POST', `/cluster/pods/${pod}/kill`, `kill ${p.name}`)),
    button('freeze', 'freeze', () => {
      if (row.dataset.frozen === 'true') {
        act('POST', `/cluster/pods/${pod}/unfreeze`, `unfreeze ${p.name}`);
      } else {
        act('POST', `/cluster/pods/${pod}/freeze?noticed_ms=${$('noticed-ms').value}`,
          `freeze ${p.name}, listed ready for ${$('noticed-ms').value} ms`);
      }
    }),
    button('delete', 'delete', () => act('DELETE', `/cluster/pods/${pod}`, `delete ${p.name}`)));
  return row;
}

/** The kubectl commands that do what the greyed-out buttons would, in a real cluster, by action. */
function kubectl(pod, replicas) {
  const k = view.status && view.status.kubernetes;
  const ns = k && k.namespace ? ` -n ${k.namespace}` : '';
  const deployment = `deployment/${(k && k.service) || 'greeter-server'}`;
  return {
    scale: `kubectl${ns} scale ${deployment} --replicas=${replicas}`,
    delete: `kubectl${ns} delete pod ${pod}`,
    kill: `kubectl${ns} delete pod ${pod} --grace-period=0 --force`,
    freeze: "(none: kill -STOP the pod's process on its node, or cut the node off the network)",
    slow: `kubectl${ns} set env ${deployment} GREETER_DELAY_MS=2000   # every pod, by a rollout`,
    errors: `kubectl${ns} edit ${deployment}   # add --error-rate 0.5 to the args: every pod, by a rollout`,
    rollout: `kubectl${ns} rollout restart ${deployment}`,
  };
}

// ---- the balancer's endpoints and the client types ---------------------------------------------------------

function renderEndpoints() {
  const k = view.status.kubernetes;
  const resolver = view.status.types.ClientWithKubeResolver;
  if (!k) {
    $('watch').textContent = resolver && resolver.unavailable_reason
      ? `ClientWithKubeResolver is unavailable: ${resolver.unavailable_reason}` : 'no Kubernetes discovery';
    keyedRows($('endpoints').tBodies[0], [], e => e, null, null, 'no endpoints: no Kubernetes discovery');
    return;
  }
  const w = k.endpointslice_watch;
  $('watch').textContent = `EndpointSlice watch on ${k.api}: ${w.state}, ${w.slices} slice(s), `
    + `resourceVersion ${w.resourceVersion}, ${w.reconnects} reconnect(s)`
    + (w.last_error ? `, last error: ${w.last_error}` : '');
  const b = k.balancer;
  const ejection = b && b.outlier_ejection;
  $('balancer').textContent = b ? `picker ${b.lb} · outlier ejection `
    + (ejection ? `on, ${ejection.ejected.length} ejected` : 'off') : '';
  $('lb').options[0].textContent = b ? `(the client's own: ${b.lb})` : "(the client's own)";
  const endpoints = [...(k.endpoints || [])].sort((a, b) => byIp(a.ip, b.ip) || a.port - b.port);
  keyedRows($('endpoints').tBodies[0], endpoints, e => `${e.ip}:${e.port}`, e => {
    const row = plainRow(['endpoint', 'pod', 'conditions', 'connection', 'routable', 'in-flight num', 'last-error wrap']);
    row.querySelector('.endpoint').textContent = `${e.ip}:${e.port}`;
    return row;
  }, (row, e) => {
    cell(row, 'pod', e.pod || '—');
    cell(row, 'conditions', ['ready', 'serving', 'terminating'].filter(c => e[c]).join(' ') || 'none');
    const state = e.state || 'no connection';
    cell(row, 'connection', state, state === 'READY' ? 'state-ready'
      : state === 'TRANSIENT_FAILURE' ? 'state-failure' : 'state-starting');
    cell(row, 'routable', e.ejected ? 'ejected' : e.routable ? 'yes' : 'no', e.ejected ? 'state-failure' : 'state-none');
    cell(row, 'in-flight', String(e.in_flight));
    cell(row, 'last-error', e.last_error || '');
  }, 'no endpoints in the EndpointSlices');
}

function renderTypes() {
  const types = Object.entries(view.status.types).map(([name, t]) => ({ name, ...t }));
  keyedRows($('types').tBodies[0], types, t => t.name, t => {
    const row = plainRow(['type', 'available', 'connections num', 'targets wrap']);
    row.querySelector('.type').textContent = t.name;
    return row;
  }, (row, t) => {
    cell(row, 'available', t.available ? 'yes' : 'no').title = t.unavailable_reason || '';
    cell(row, 'connections', String(t.connections_open));
    cell(row, 'targets', t.targets.join(', '));
  });
}

function fillTypes(types) {
  const select = $('type');
  Object.entries(types).forEach(([name, t]) => {
    let option = [...select.options].find(o => o.value === name);
    if (!option) {
      option = new Option(name, name);
      select.add(option);
      if (name === 'ClientWithKubeResolver' && t.available) select.value = name;
    }
    option.disabled = !t.available;
    option.title = t.available ? '' : t.unavailable_reason;
  });
}

// ---- running an experiment -------------------------------------------------------------------------------

function query() {
  const form = $('run-form');
  const q = new URLSearchParams({ type: $('type').value });
  const shape = form.elements.shape.value;
  if (shape === 'open') {
    q.set('rate', $('rate').value);
    q.set('duration_s', $('duration_s').value);
  } else {
    q.set('n', $('n').value);
    if (shape === 'closed') q.set('concurrency', $('concurrency').value);
  }
  // only when chosen, and for a type that balances: any other answers 400
  if (LB_CHOICES.includes($('lb').value) && BALANCING.includes($('type').value)) q.set('lb', $('lb').value);
  return q;
}

async function run(event) {
  event.preventDefault();
  const q = query();
  $('run').disabled = true;
  $('stop').disabled = false; // stoppable even while it waits for the client's warm-up
  $('result').textContent = `running ${q.toString().replaceAll('&', ' ')}…`;
  $('result').className = 'muted';
  $('result-json').textContent = '';
  try {
    const response = await api(`/experiment/client?${q}`);
    const body = await response.json();
    $('result-json').textContent = JSON.stringify(body, null, 2);
    if (!response.ok) {
      $('result').textContent = `${response.status}: ${body.error}`;
      $('result').className = 'error';
      return;
    }
    showResult(body);
  } catch (err) {
    $('result').textContent = `the run failed: ${err}`;
    $('result').className = 'error';
  } finally {
    $('run').disabled = false;
    $('stop').disabled = true;
  }
}

function showResult(r) {
  const l = r.latency_ms || {};
  const perPod = Object.entries(r.count_per_ip).map(([ip, count]) => `${ip}: ${count}`).join(', ');
  const errors = Object.entries(r.errors || {}).map(([e, count]) => `${count}× ${e}`).join('; ');
  $('result').className = '';
  $('result').replaceChildren(
    line(`${r.type}${r.lb ? ` (${r.lb})` : ''}, ${r.shape ? r.shape.kind : 'burst'}, n=${r.n}: `
      + `${r.ok} ok, ${r.failed} failed in ${r.time}`
      + ` · p50 ${l.p50} ms · p99 ${l.p99} ms · ${r.connections} connection(s)`),
    line(`count_per_ip: ${perPod || 'none'}`),
    ...(errors ? [line(`errors: ${errors}`)] : []));
}

function line(text) {
  const div = document.createElement('div');
  div.textContent = text;
  return div;
}

function shapeChanged() {
  const shape = $('run-form').elements.shape.value;
  $('n').disabled = shape === 'open';
  $('concurrency').disabled = shape !== 'closed';
  $('rate').disabled = shape !== 'open';
  $('duration_s').disabled = shape !== 'open';
}

// ---- cluster controls ------------------------------------------------------------------------------------

async function act(method, path, what) {
  say(`${what}…`);
  try {
    const response = await api(path, { method });
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      say(`${what}: done`);
    } else if (response.status === 404 && path === '/cluster/rollout') {
      say(`${what}: 404 ${body.error || ''}: this build serves no rollout yet`, true);
    } else {
      say(`${what}: ${response.status} ${body.error || response.statusText}`, true);
    }
  } catch (err) {
    say(`${what}: ${err}`, true);
  }
}

// ---- charts ----------------------------------------------------------------------------------------------

function drawCharts() {
  const seconds = [...view.run.seconds.values()].sort((a, b) => a.second - b.second).slice(-KEEP_SECONDS);
  const ips = [...new Set(seconds.flatMap(s => Object.keys(s.ok_per_ip)))].sort(byIp);
  Charts.line($('chart-pods'), ips.map(ip => ({
    name: ip, points: seconds.map(s => [s.second, s.ok_per_ip[ip] || 0]),
  })), { empty: 'no second of this run has ended yet' });
  const timed = seconds.filter(s => s.completed > 0);
  Charts.line($('chart-latency'), [
    { name: 'p50', color: '#2f6fdf', points: timed.map(s => [s.second, s.p50_ms]) },
    { name: 'p99', color: '#c62828', points: timed.map(s => [s.second, s.p99_ms]) },
  ], { empty: 'no call has ended yet' });
}

// ---- small DOM helpers -----------------------------------------------------------------------------------

/**
 * Updates tbody to one row per item, in order, reusing rows by key so buttons and focus survive updates; with no
 * item, one row says why.
 */
function keyedRows(tbody, items, key, create, update, empty = 'none') {
  const wanted = new Set(items.map(key));
  [...tbody.rows].forEach(row => { if (!wanted.has(row.dataset.key)) row.remove(); });
  if (items.length === 0) {
    const row = tbody.insertRow();
    const td = row.insertCell();
    td.colSpan = tbody.parentElement.tHead.rows[0].cells.length;
    td.className = 'muted';
    td.textContent = empty;
    return;
  }
  items.forEach((item, i) => {
    let row = [...tbody.rows].find(r => r.dataset.key === key(item));
    if (!row) {
      row = create(item);
      row.dataset.key = key(item);
    }
    if (tbody.rows[i] !== row) tbody.insertBefore(row, tbody.rows[i] || null);
    update(row, item);
  });
}

function plainRow(classes) {
  const row = document.createElement('tr');
  classes.forEach(c => {
    const td = document.createElement('td');
    td.className = c;
    row.appendChild(td);
  });
  return row;
}

function cell(row, name, text, className) {
  const td = row.querySelector(`td.${name}`);
  if (td.textContent !== text) td.textContent = text;
  if (className !== undefined) {
    [...td.classList].filter(c => c.startsWith('state-')).forEach(c => td.classList.remove(c));
    td.classList.add(className);
  }
  return td;
}

function button(text, action, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.dataset.action = action;
  b.className = action;
  b.addEventListener('click', onClick);
  return b;
}

function percent(x) {
  return `${Number((x * 100).toFixed(x < 0.01 ? 2 : 1))} %`; // 50 %, 12.5 %, 0.25 %
}

function byIp(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if ((pa[i] || 0) !== (pb[i] || 0)) return (pa[i] || 0) - (pb[i] || 0);
  }
  return a.localeCompare(b);
}

// ---- wiring ----------------------------------------------------------------------------------------------

$('run-form').addEventListener('submit', run);
$('run-form').querySelectorAll('input[name=shape]').forEach(r => r.addEventListener('change', shapeChanged));
$('scale').addEventListener('click', () => act('POST', `/cluster/scale?replicas=${$('replicas').value}`,
  `scale to ${$('replicas').value}`));
$('rollout').addEventListener('click', () => act('POST', '/cluster/rollout', 'roll out'));
$('stop').addEventListener('click', () => act('DELETE', '/experiment', 'stop the running experiment'));
$('token-form').addEventListener('submit', event => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value);
  $('token').value = '';
  $('token-form').hidden = true;
  connect();
});
shapeChanged();
Charts.line($('chart-pods'), [], { empty: 'no run yet' });
Charts.line($('chart-latency'), [], { empty: 'no run yet' });
connect();
