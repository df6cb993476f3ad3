// flink-asr dashboard: reads /dashboard/api/* once a second. Every value from the server is put on the
// page as text (textContent), never as HTML; the page has no inline script (see the CSP header).
'use strict';

const POLL_MILLIS = 1000;
const STATES = ['Created', 'Executing', 'Finished', 'Failed'];
const STATE_COLOURS = { Created: '#7a869a', Executing: '#d68a00', Finished: '#1f8a4c', Failed: '#c23a3a' };

const $ = (id) => document.getElementById(id);
let me = null;
let signInWanted = false; // on a trusted machine, the sign-in form shows only when asked for
let selectedJob = null;
let selectedJobFinal = false;
let timer = null;
let charts = {};

async function api(path, options) {
  const response = await fetch('api/' + path, Object.assign({ credentials: 'same-origin', cache: 'no-store' }, options));
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (!response.ok) {
    const error = new Error(body && body.Message ? body.Message : 'HTTP ' + response.status);
    error.status = response.status;
    error.code = body && body.Code;
    throw error;
  }
  return body;
}

// ---- formatting

function time(millis) {
  if (!millis) return '';
  const d = new Date(millis);
  const pad = (n) => String(n).padStart(2, '0');
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' '
    + pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
}

function duration(seconds) {
  if (seconds === undefined || seconds === null) return '';
  if (seconds < 60) return seconds.toFixed(1) + ' s';
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return m + ' min ' + s + ' s';
  return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
}

function clock(seconds) {
  const m = Math.floor(seconds / 60);
  const s = (seconds % 60).toFixed(2).padStart(5, '0');
  return String(m).padStart(2, '0') + ':' + s;
}

function progressText(job) {
  let text = job.percent.toFixed(job.percent % 1 === 0 ? 0 : 1) + '%';
  if (job.chunksTotal !== undefined) {
    text += ' · ' + job.chunksDone + '/' + job.chunksTotal + ' chunks';
  } else if (job.state === 'Executing') {
    text += ' · ' + job.chunksDone + ' chunks (cutting)';
  }
  return text;
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text === undefined || text === null ? '' : String(text);
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function fillTable(table, rows, toCells) {
  const body = table.querySelector('tbody');
  body.replaceChildren();
  rows.forEach((r) => {
    const tr = document.createElement('tr');
    toCells(tr, r);
    body.appendChild(tr);
  });
}

// ---- who is looking

async function loadMe() {
  me = await api('me');
  const viewer = $('viewer');
  if (me.signedIn) {
    const who = me.role === 'operator' ? 'operator (every tenant)' : 'tenant ' + me.userId;
    viewer.textContent = (me.via === 'this machine' ? 'This machine, as ' : 'Signed in as ') + me.accessKeyId + ' · ' + who;
    document.body.classList.toggle('tenant', me.role !== 'operator');
    $('content').classList.remove('hidden');
    $('sign-out').classList.toggle('hidden', me.via !== 'session');
    $('show-sign-in').classList.toggle('hidden', me.via !== 'this machine' || signInWanted);
    $('sign-in').classList.toggle('hidden', !(me.via === 'this machine' && signInWanted));
    $('sign-in-title').textContent = 'Sign in with another key';
  } else {
    viewer.textContent = 'Not signed in';
    $('content').classList.add('hidden');
    $('sign-out').classList.add('hidden');
    $('show-sign-in').classList.add('hidden');
    $('sign-in').classList.remove('hidden');
    $('sign-in-title').textContent = 'Sign in';
    $('flink-ui').classList.add('hidden');
  }
}

async function signIn(event) {
  event.preventDefault();
  const error = $('sign-in-error');
  error.textContent = '';
  const secret = $('access-key-secret');
  try {
    await api('session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ accessKeyId: $('access-key-id').value, accessKeySecret: secret.value }),
    });
    secret.value = '';
    forgetThePage();
  } catch (e) {
    secret.value = '';
    error.textContent = 'Refused: ' + e.message;
  }
}

async function signOut() {
  await api('sign-out', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  forgetThePage();
}

// a new viewer starts from a fresh page: nothing the last one saw stays in it, not even hidden
function forgetThePage() {
  clearTimeout(timer);
  window.location.reload();
}

// ---- the service

function chart(id, config) {
  if (!window.Chart) return null;
  if (!charts[id]) {
    charts[id] = new Chart($(id), config);
  } else {
    charts[id].data = config.data;
    charts[id].update('none');
  }
  return charts[id];
}

function showService(service) {
  $('rate').textContent = service.audioSecondsPerSecond.toFixed(1);
  $('backlog-jobs').textContent = service.backlog.created + ' / ' + service.backlog.executing;
  $('backlog-chunks').textContent = service.backlog.chunksWaiting + (service.backlog.stillChunking ? '+' : '');
  $('failed-count').textContent = service.jobsByState.Failed;
  $('window').textContent = Math.round(service.windowSeconds / 60);
  const link = $('flink-ui');
  if (service.flinkUi) {
    link.href = service.flinkUi;
    link.classList.remove('hidden');
  } else {
    link.classList.add('hidden');
  }
  chart('throughput-chart', {
    type: 'line',
    data: {
      labels: service.throughput.map((p) => Math.round((p.at - service.now) / 1000)),
      datasets: [{ label: 'audio s / s', data: service.throughput.map((p) => p.audioSecondsPerSecond),
        borderColor: '#2f6fdb', backgroundColor: 'rgba(47,111,219,0.15)', fill: true, tension: 0.2, pointRadius: 0 }],
    },
    options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } },
      scales: { x: { title: { display: true, text: 'seconds from now' }, ticks: { maxTicksLimit: 7 } },
        y: { beginAtZero: true } } },
  });
  chart('states-chart', {
    type: 'bar',
    data: {
      labels: STATES,
      datasets: [{ label: 'jobs', data: STATES.map((s) => service.jobsByState[s]),
        backgroundColor: STATES.map((s) => STATE_COLOURS[s]) }],
    },
    options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  const failures = Object.entries(service.failuresByCode);
  fillTable($('failures'), failures.length ? failures : [['none', '']], (tr, [code, count]) => {
    cell(tr, code);
    cell(tr, count);
  });
  fillTable($('tenants'), service.tenants, (tr, t) => {
    cell(tr, t.userId, 'id');
    STATES.forEach((s) => cell(tr, t[s]));
    cell(tr, duration(t.audioSeconds));
  });
}

// ---- the jobs

function jobsQuery() {
  const params = new URLSearchParams();
  if ($('state-filter').value) params.set('state', $('state-filter').value);
  if ($('search').value.trim()) params.set('q', $('search').value.trim());
  const query = params.toString();
  return 'jobs' + (query ? '?' + query : '');
}

function showJobs(list) {
  $('jobs-count').textContent = list.total > list.jobs.length
    ? '(newest ' + list.jobs.length + ' of ' + list.total + ')' : '(' + list.total + ')';
  $('no-jobs').classList.toggle('hidden', list.jobs.length > 0);
  // rows are kept and updated in place, so a click is never lost to a redraw
  const body = $('jobs').querySelector('tbody');
  const rows = new Map([...body.children].map((tr) => [tr.dataset.jobId, tr]));
  list.jobs.forEach((job, i) => {
    let tr = rows.get(job.jobId);
    if (!tr) {
      tr = jobRow(job.jobId);
    }
    rows.delete(job.jobId);
    fillJobRow(tr, job);
    if (body.children[i] !== tr) {
      body.insertBefore(tr, body.children[i] || null);
    }
  });
  rows.forEach((tr) => tr.remove());
}

const JOB_CELLS = ['created', 'id', 'title', 'id tenant-column', 'state', 'progress', 'media', 'finished', 'took', 'rtf', 'error'];

function jobRow(jobId) {
  const tr = document.createElement('tr');
  tr.dataset.jobId = jobId;
  JOB_CELLS.forEach((name) => cell(tr, '', name));
  const bar = document.createElement('progress');
  bar.max = 100;
  const label = document.createElement('span');
  label.className = 'percent';
  tr.children[5].append(bar, label);
  tr.addEventListener('click', () => openDetail(jobId));
  return tr;
}

function fillJobRow(tr, job) {
  const set = (i, text) => {
    const value = text === undefined || text === null ? '' : String(text);
    if (tr.children[i].textContent !== value) tr.children[i].textContent = value;
  };
  tr.classList.toggle('selected', job.jobId === selectedJob);
  set(0, time(job.created));
  set(1, job.jobId);
  set(2, job.title);
  set(3, job.userId);
  set(4, job.state);
  tr.children[4].className = 'state state-' + job.state;
  tr.children[5].querySelector('progress').value = job.percent;
  tr.children[5].querySelector('.percent').textContent = ' ' + progressText(job);
  set(6, job.mediaSeconds !== undefined ? duration(job.mediaSeconds) : '');
  set(7, time(job.finished));
  set(8, duration(job.tookSeconds));
  set(9, job.realTimeFactor !== undefined ? job.realTimeFactor.toFixed(2) : '');
  set(10, job.errorCode);
}

// ---- one job

function openDetail(jobId) {
  selectedJob = jobId;
  selectedJobFinal = false;
  $('job-detail').classList.remove('hidden');
  refresh();
}

function closeDetail() {
  selectedJob = null;
  $('job-detail').classList.add('hidden');
  $('segments').replaceChildren();
  $('chunks').querySelector('tbody').replaceChildren();
}

function showDetail(job) {
  $('detail-id').textContent = job.jobId;
  $('detail-title').textContent = job.title || '';
  $('detail-input').textContent = job.inputFile || '';
  const state = $('detail-state');
  state.textContent = job.state;
  state.className = 'state state-' + job.state;
  $('detail-progress').textContent = progressText(job);
  $('detail-took').textContent = duration(job.tookSeconds)
    + (job.realTimeFactor !== undefined ? ' (real-time factor ' + job.realTimeFactor.toFixed(2) + ')' : '')
    + (job.mediaSeconds !== undefined ? ' for ' + duration(job.mediaSeconds) + ' of media' : '');
  const error = $('detail-error');
  error.textContent = job.errorCode ? job.errorCode + ': ' + (job.errorMessage || '') : '';
  error.classList.toggle('hidden', !job.errorCode);

  const timed = job.chunks.filter((c) => c.startedAt);
  const subtasks = [...new Set(job.chunks.map((c) => c.subtask))].sort((a, b) => a - b);
  const label = (s) => 'subtask ' + s;
  chart('timeline-chart', {
    type: 'bar',
    data: {
      labels: subtasks.map(label),
      datasets: [{
        label: 'chunks',
        data: timed.map((c) => ({ x: [(c.startedAt - job.created) / 1000, (c.endedAt - job.created) / 1000], y: label(c.subtask), seq: c.seq })),
        backgroundColor: timed.map((c) => c.seq % 2 ? 'rgba(47,111,219,0.75)' : 'rgba(31,138,76,0.75)'),
        borderColor: '#ffffff', borderWidth: 1, borderSkipped: false, grouped: false,
      }],
    },
    options: {
      indexAxis: 'y', animation: false, maintainAspectRatio: false, plugins: { legend: { display: false },
        tooltip: { callbacks: { label: (ctx) => {
          const c = timed[ctx.dataIndex];
          return 'chunk ' + c.seq + ': media ' + clock(c.from) + '–' + clock(c.to) + ', '
            + ((c.endedAt - c.startedAt) / 1000).toFixed(2) + ' s on ' + label(c.subtask);
        } } } },
      scales: { x: { beginAtZero: true, title: { display: true, text: 'seconds since the job was created' } } },
    },
  });
  fillTable($('chunks'), job.chunks, (tr, c) => {
    tr.dataset.subtask = c.subtask;
    cell(tr, c.seq);
    cell(tr, clock(c.from) + ' – ' + clock(c.to));
    cell(tr, c.subtask);
    cell(tr, c.startedAt ? '+' + ((c.startedAt - job.created) / 1000).toFixed(2) + ' s' : '');
    cell(tr, c.startedAt ? ((c.endedAt - c.startedAt) / 1000).toFixed(2) + ' s' : '');
  });
  const segments = $('segments');
  segments.replaceChildren();
  job.segments.forEach((s) => {
    const li = document.createElement('li');
    const at = document.createElement('span');
    at.className = 'time';
    at.textContent = clock(s.from) + ' – ' + clock(s.to);
    const text = document.createElement('span');
    text.className = 'content';
    if (s.words) {
      s.words.forEach((w, i) => {
        const word = document.createElement('span');
        word.className = 'word';
        word.title = w.start.toFixed(2) + '–' + w.end.toFixed(2) + ' s, confidence ' + w.conf.toFixed(2);
        word.textContent = (i ? ' ' : '') + w.word;
        text.appendChild(word);
      });
      text.dataset.content = s.content;
    } else {
      text.textContent = s.content;
    }
    li.append(at, text);
    segments.appendChild(li);
  });
  if (!job.segments.length) {
    const li = document.createElement('li');
    li.className = 'hint';
    li.textContent = job.state === 'Finished' ? 'No speech.' : 'The transcript shows once the job has finished.';
    segments.appendChild(li);
  }
}

// ---- the loop

let refreshing = false;
let refreshAgain = false;

async function refresh() {
  if (refreshing) { // one refresh at a time: a click during one asks for another right after it
    refreshAgain = true;
    return;
  }
  refreshing = true;
  clearTimeout(timer);
  try {
    await loadMe();
    if (me.signedIn) {
      const [service, list] = await Promise.all([api('service'), api(jobsQuery())]);
      showService(service);
      showJobs(list);
      if (selectedJob && !selectedJobFinal) {
        try {
          const job = await api('jobs/' + encodeURIComponent(selectedJob));
          showDetail(job);
          selectedJobFinal = job.state === 'Finished' || job.state === 'Failed';
        } catch (e) {
          if (e.status === 404) closeDetail(); else throw e;
        }
      }
    }
  } catch (e) {
    $('viewer').textContent = 'Cannot reach the service: ' + e.message;
  }
  refreshing = false;
  if (refreshAgain) {
    refreshAgain = false;
    refresh();
  } else {
    timer = setTimeout(refresh, POLL_MILLIS);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('sign-in-form').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', signOut);
  $('show-sign-in').addEventListener('click', () => {
    signInWanted = true;
    $('show-sign-in').classList.add('hidden');
    $('sign-in').classList.remove('hidden');
    $('access-key-id').focus();
  });
  $('detail-close').addEventListener('click', closeDetail);
  $('state-filter').addEventListener('change', refresh);
  $('search').addEventListener('input', refresh);
  refresh();
});
