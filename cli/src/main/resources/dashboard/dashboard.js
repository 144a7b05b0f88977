// Live view of one run: reads server-sent events (progress, posterior, worker) and redraws.
'use strict';

const MAX_PAIR_DIMENSIONS = 6;
const BINS = 30;
const state = { progressEvents: 0, posteriorEvents: 0, lastLossStep: -1, lastRound: 0, workers: {}, circuits: {} };
window.streamsbi = state;

const $ = id => document.getElementById(id);
const finite = v => typeof v === 'number' && Number.isFinite(v);
const fixed = (v, digits) => finite(v) ? v.toFixed(digits) : '–';

Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.font.size = 11;

const lossChart = new Chart($('loss'), {
  type: 'line',
  data: { datasets: [
    { label: 'training', data: [], borderColor: '#1f77b4', pointRadius: 1 },
    { label: 'validation', data: [], borderColor: '#ff7f0e', pointRadius: 1 },
    { label: 'round starts', type: 'scatter', data: [], borderColor: '#d62728', backgroundColor: '#d62728',
      pointStyle: 'triangle', pointRadius: 6 },
  ] },
  options: { parsing: false, scales: { x: { type: 'linear', title: { display: true, text: 'step' } } } },
});
const throughputChart = new Chart($('throughput'), {
  type: 'line',
  data: { datasets: [
    { label: 'in (inserts/s)', data: [], borderColor: '#2ca02c', pointRadius: 0 },
    { label: 'out (draws/s)', data: [], borderColor: '#9467bd', pointRadius: 0 },
  ] },
  options: { parsing: false, scales: { x: { type: 'linear', title: { display: true, text: 'seconds' } } } },
});
const bufferChart = new Chart($('buffer'), {
  type: 'line',
  data: { datasets: [
    { label: 'fill (%)', data: [], borderColor: '#8c564b', pointRadius: 0, yAxisID: 'fill' },
    { label: 'draws per insert', data: [], borderColor: '#e377c2', pointRadius: 0, yAxisID: 'balance' },
  ] },
  options: { parsing: false, scales: {
    x: { type: 'linear', title: { display: true, text: 'seconds' } },
    fill: { position: 'left', min: 0, max: 100 },
    balance: { position: 'right', min: 0, grid: { drawOnChartArea: false } },
  } },
});

// While the run's Kafka broker does not answer, the run waits for it up to its outage limit.
function drawBroker(b) {
  const waiting = b && b.state !== 'CONNECTED';
  $('broker').hidden = !waiting;
  if (waiting) {
    $('broker').textContent = (b.state === 'LOST' ? 'gave up waiting for the Kafka broker after ' : 'waiting for the Kafka broker: ')
      + fixed(b.silentSeconds, 0) + ' s (limit ' + fixed(b.outageLimitSeconds, 0) + ' s)';
  }
}

function onProgress(p) {
  state.progressEvents++;
  $('run').textContent = p.run;
  $('phase').textContent = p.phase;
  $('phase').className = 'phase ' + p.phase;
  drawBroker(p.broker);
  $('samples').textContent = p.samples;
  $('budget').textContent = p.simulations;
  $('failed').textContent = p.failedProposals;
  $('budget-bar').value = p.simulations ? Math.min(1, p.samples / p.simulations) : 0;
  $('elapsed').textContent = fixed(p.elapsedSeconds, 1);
  $('steps').textContent = p.steps;
  $('rate-in').textContent = fixed(p.insertsPerSecond, 0);
  $('rate-out').textContent = fixed(p.drawsPerSecond, 0);
  $('fill').textContent = p.trainingSamples;
  $('capacity').textContent = p.bufferCapacity;
  $('fill-bar').value = p.bufferCapacity ? p.trainingSamples / p.bufferCapacity : 0;
  $('balance').textContent = fixed(p.drawsPerInsert, 2);
  $('validation').textContent = fixed(p.validationLoss, 3);
  $('best').textContent = fixed(p.bestValidationLoss, 3);
  $('dead-letters').textContent = p.deadLetters;
  $('lag').textContent = p.trainingLagEpisodes;
  $('round').textContent = p.round;
  $('rounds').textContent = p.rounds;
  $('method').textContent = p.method || '';
  $('train-rate').textContent = fixed(p.trainingSamplesPerSecond, 0);
  $('lr').textContent = finite(p.learningRate) ? p.learningRate.toExponential(2) : '–';
  $('waiting').textContent = fixed(p.waitingForDataSeconds, 1);
  drawDeadLetters(p);

  // A round starts when its proposals go out; mark it where the loss curve stands then.
  if (p.round > state.lastRound) {
    state.lastRound = p.round;
    if (p.round > 1) {
      const y = finite(p.validationLoss) ? p.validationLoss : (finite(p.trainingLoss) ? p.trainingLoss : 0);
      lossChart.data.datasets[2].data.push({ x: p.steps, y });
    }
  }

  if (p.steps > state.lastLossStep && finite(p.validationLoss)) {
    state.lastLossStep = p.steps;
    if (finite(p.trainingLoss)) lossChart.data.datasets[0].data.push({ x: p.steps, y: p.trainingLoss });
    lossChart.data.datasets[1].data.push({ x: p.steps, y: p.validationLoss });
    lossChart.update('none');
  }
  const t = p.elapsedSeconds;
  throughputChart.data.datasets[0].data.push({ x: t, y: p.insertsPerSecond });
  throughputChart.data.datasets[1].data.push({ x: t, y: p.drawsPerSecond });
  throughputChart.update('none');
  bufferChart.data.datasets[0].data.push({ x: t, y: p.bufferCapacity ? 100 * p.trainingSamples / p.bufferCapacity : 0 });
  if (finite(p.drawsPerInsert)) bufferChart.data.datasets[1].data.push({ x: t, y: p.drawsPerInsert });
  bufferChart.update('none');

  for (const w of p.workers || []) {
    state.workers[w.worker] = w;
    if (w.circuitBreaker) state.circuits[w.worker] = w.circuitBreaker;
  }
  drawWorkers();
}

function drawDeadLetters(p) {
  const kinds = Object.entries(p.deadLettersByKind || {}).map(([kind, n]) => `${escape(kind)}: ${n}`);
  $('dead-letter-kinds').textContent = kinds.length ? `(${kinds.join(', ')})` : '(none)';
  const rows = (p.recentDeadLetters || []).slice().reverse().map(d =>
    `<tr><td>${escape(d.kind ?? '')}</td><td>${escape(d.reason ?? '')}</td>`
      + `<td>${escape(d.proposalId ?? '')}</td><td>${escape(d.worker ?? '')}</td></tr>`);
  document.querySelector('#dead-letter-list tbody').innerHTML = rows.join('');
}

function onWorker(event) {
  state.circuits[event.worker] = event.circuit_breaker;
  drawWorkers();
}

function drawWorkers() {
  const names = new Set([...Object.keys(state.workers), ...Object.keys(state.circuits)]);
  const rows = [...names].sort().map(name => {
    const w = state.workers[name] || { samples: 0, samplesPerSecond: 0, failedProposals: 0, meanSimulationSeconds: NaN };
    const circuit = state.circuits[name] || 'CLOSED';
    return `<tr><td>${escape(name)}</td><td>${w.samples}</td><td>${fixed(w.samplesPerSecond, 1)}</td>`
      + `<td>${seconds(w.meanSimulationSeconds)}</td><td>${w.failedProposals}</td><td class="${circuit}">${circuit}</td></tr>`;
  });
  document.querySelector('#workers tbody').innerHTML = rows.join('');
}

function seconds(v) {
  if (!finite(v)) return '–';
  if (v >= 0.1) return v.toFixed(2) + ' s';
  return v >= 1e-4 ? (v * 1e3).toPrecision(2) + ' ms' : (v * 1e6).toPrecision(2) + ' µs';
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
}

// The pair plot: histograms on the diagonal, scatter plots above it.
const pairCharts = {};

function onPosterior(event) {
  state.posteriorEvents++;
  const theta = event.theta;
  if (!theta.length) return;
  const d = Math.min(theta[0].length, MAX_PAIR_DIMENSIONS);
  $('posterior-note').textContent = `(${theta.length} draws from the best estimator so far`
    + (theta[0].length > d ? `, first ${d} of ${theta[0].length} parameters)` : ')');
  const grid = $('pairs');
  if (grid.childElementCount !== d * d) {
    grid.innerHTML = '';
    grid.style.gridTemplateColumns = `repeat(${d}, 1fr)`;
    for (const key of Object.keys(pairCharts)) { pairCharts[key].destroy(); delete pairCharts[key]; }
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
      const cell = document.createElement('div');
      grid.appendChild(cell);
      if (j < i) continue;
      const canvas = document.createElement('canvas');
      canvas.id = `pair-${i}-${j}`;
      cell.appendChild(canvas);
      pairCharts[`${i}-${j}`] = i === j ? histogram(canvas, i) : scatter(canvas, i, j);
    }
  }
  for (let i = 0; i < d; i++) for (let j = i; j < d; j++) {
    const chart = pairCharts[`${i}-${j}`];
    if (i === j) {
      const h = bins(theta.map(row => row[i]));
      chart.data.labels = h.centres;
      chart.data.datasets[0].data = h.counts;
    } else {
      chart.data.datasets[0].data = theta.map(row => ({ x: row[j], y: row[i] }));
    }
    chart.update('none');
  }
}

function histogram(canvas, i) {
  return new Chart(canvas, {
    type: 'bar',
    data: { labels: [], datasets: [{ label: `θ${i + 1}`, data: [], backgroundColor: '#1f77b4', barPercentage: 1, categoryPercentage: 1 }] },
    options: { plugins: { legend: { display: true } }, scales: { x: { ticks: { maxTicksLimit: 6 } }, y: { display: false } } },
  });
}

function scatter(canvas, i, j) {
  return new Chart(canvas, {
    type: 'scatter',
    data: { datasets: [{ label: `θ${j + 1} vs θ${i + 1}`, data: [], pointRadius: 1, backgroundColor: 'rgba(31,119,180,0.3)' }] },
    // Parsed, not parsing: false, which would take the draws as sorted by x and misjudge the axis range.
    options: { plugins: { legend: { display: false } }, scales: { x: { ticks: { maxTicksLimit: 6 } } } },
  });
}

function bins(values) {
  let lo = Math.min(...values), hi = Math.max(...values);
  if (hi === lo) { lo -= 0.5; hi += 0.5; }
  const width = (hi - lo) / BINS;
  const counts = new Array(BINS).fill(0);
  for (const v of values) counts[Math.min(BINS - 1, Math.floor((v - lo) / width))]++;
  return { centres: counts.map((_, k) => (lo + (k + 0.5) * width).toPrecision(3)), counts };
}

function connect() {
  const events = new EventSource('events');
  events.onopen = () => $('connection').className = 'connection open';
  events.onerror = () => $('connection').className = 'connection';
  events.addEventListener('progress', e => onProgress(JSON.parse(e.data)));
  events.addEventListener('posterior', e => onPosterior(JSON.parse(e.data)));
  events.addEventListener('worker', e => onWorker(JSON.parse(e.data)));
}

connect();
