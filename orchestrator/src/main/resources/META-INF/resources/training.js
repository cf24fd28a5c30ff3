// The web page's training view: the runs (/api/v1/training-runs) and one run's progress, ETA, loss curves,
// checkpoints and samples, polled from its record and metrics rows while it goes on. The run shown is in the URL
// (#training/<run id>), so a reload keeps following it. Uses app.js's $, key, api, failure, imageUrl, showError.
'use strict';

const RUN_ENDS = ['completed', 'failed', 'cancelled'];
const RUN_POLL_MS = 1000;
// one panel per loss term: its height, and the margins left for the axes' labels
const CHART = { width: 640, panelHeight: 140, nameHeight: 16, left: 56, right: 12, top: 4, bottom: 22 };
const SERIES_COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const SVG_NS = 'http://www.w3.org/2000/svg';
let shownRun = null;

/** Loads the runs' table and, when the URL names one, the run's view (its first state before returning). */
async function openTraining(runId) {
  await refreshRuns();
  if (!runId) {
    closeTraining();
    return;
  }
  if (!shownRun || shownRun.runId !== runId) {
    shownRun = { runId, samples: '' };
    $('run-id').textContent = runId;
    $('run-status').textContent = 'loading';
    $('run-progress').value = 0;
    $('loss-chart').replaceChildren();
    $('checkpoints').replaceChildren();
    $('run').hidden = false;
    await pollRun(shownRun);
  }
}

/** Stops following the shown run. */
function closeTraining() {
  shownRun = null;
  $('run').hidden = true;
}

async function refreshRuns() {
  const runs = await (await api('/api/v1/training-runs?limit=50')).json();
  const rows = runs.map((run) => {
    const row = document.createElement('tr');
    row.dataset.runId = run.runId;
    const link = document.createElement('a');
    link.href = '#training/' + encodeURIComponent(run.runId);
    link.textContent = run.runId;
    const cells = [link, (run.request || {}).kind || '', run.state || '',
      Number(run.step || 0) + ' / ' + Number(run.totalSteps || 0),
      run.updatedMs ? new Date(Number(run.updatedMs)).toLocaleString() : ''];
    row.append(...cells.map((content) => {
      const cell = document.createElement('td');
      cell.append(content);
      return cell;
    }));
    return row;
  });
  $('runs').tBodies[0].replaceChildren(...rows);
}

/** Reads the run's record and metrics, shows them, and polls again until the run has ended. */
async function pollRun(run) {
  if (shownRun !== run) {
    return;
  }
  let ended = false;
  try {
    const record = await found(runPath(run.runId));
    const rows = await found(runPath(run.runId) + '/metrics') || [];
    const state = runState(record, rows);
    ended = RUN_ENDS.includes(state.state);
    showRunState(state);
    drawLossChart(rows.filter((row) => row.type === 'progress'));
    await showCheckpoints(run, rows);
    $('run-cancel').disabled = ended;
  } catch (error) {
    showError(error);
  }
  if (ended) {
    await refreshRuns();
  } else {
    setTimeout(() => pollRun(run), RUN_POLL_MS);
  }
}

function runPath(runId) {
  return '/api/v1/training-runs/' + encodeURIComponent(runId);
}

/** The JSON answer of a GET, or null when the API does not know the thing (yet). */
async function found(path) {
  const response = await fetch(path, { headers: { Authorization: 'Bearer ' + key() } });
  if (response.status === 404) {
    return null;
  }
  if (!response.ok) {
    throw await failure(response);
  }
  return response.json();
}

/**
 * The run's state from its record; a run refused before it had one (a bad record on Kafka) from its failed event;
 * the metrics rows give the latest step, since run.json is written only at checkpoints.
 */
function runState(record, rows) {
  const progress = rows.filter((row) => row.type === 'progress');
  const last = progress[progress.length - 1];
  const refusal = rows.find((row) => row.type === 'failed');
  const state = record ? record.state : (refusal ? 'failed' : '');
  return {
    state,
    step: Math.max(Number(record ? record.step || 0 : 0), last ? Number(last.step) : 0),
    total: Number((record && record.totalSteps) || (last ? last.totalSteps : 0)),
    etaSeconds: last ? Number(last.etaSeconds || 0) : 0,
    error: record ? record.error : (refusal ? (refusal.field ? refusal.field + ': ' : '') + refusal.error : ''),
    published: record ? record.published : null,
  };
}

function showRunState(run) {
  if (!run.state) {
    $('run-status').textContent = 'submitted, waiting for an orchestrator';
    return;
  }
  const ended = RUN_ENDS.includes(run.state);
  $('run-progress').value = run.total ? run.step / run.total : 0;
  let text = run.state + ' · step ' + run.step + ' of ' + run.total;
  if (!ended && run.etaSeconds) {
    text += ' · ' + formatSeconds(run.etaSeconds) + ' left';
  }
  if (run.state === 'failed') {
    text += ': ' + run.error;
  }
  if (run.state === 'completed' && run.published) {
    text += ' · published as ' + run.published.name + ' ' + run.published.version;
  }
  $('run-status').textContent = text;
}

function formatSeconds(seconds) {
  const s = Math.round(seconds);
  return s < 60 ? s + ' s' : Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
}

/**
 * The loss curves: a panel per loss term in the rows, stacked, each with its own y axis (the terms of a VAE run
 * differ by orders of magnitude; log10 when every value is positive and they span more than two decades) and the
 * step on x. Non-finite values are left out.
 */
function drawLossChart(progress) {
  const terms = [...new Set(progress.flatMap((row) => Object.keys(row.losses || {})))].sort();
  const series = terms.map((term) => ({
    term,
    points: progress.map((row) => [Number(row.step), Number((row.losses || {})[term])])
        .filter(([step, value]) => Number.isFinite(step) && Number.isFinite(value)),
  })).filter((s) => s.points.length > 0);
  const chart = $('loss-chart');
  if (series.length === 0) {
    chart.setAttribute('viewBox', '0 0 ' + CHART.width + ' 40');
    chart.replaceChildren(svgText(CHART.left, 24, 'no losses yet'));
    return;
  }
  const steps = series.flatMap((s) => s.points.map(([step]) => step));
  const xRange = range(Math.min(...steps), Math.max(...steps));
  const plotWidth = CHART.width - CHART.left - CHART.right;
  const px = (step) => CHART.left + (step - xRange.min) / xRange.span * plotWidth;
  const children = [];
  series.forEach(({ term, points }, i) => {
    const panelTop = CHART.top + i * CHART.panelHeight;
    const top = panelTop + CHART.nameHeight;
    const bottom = panelTop + CHART.panelHeight - CHART.bottom;
    const values = points.map(([, value]) => value);
    const logScale = values.every((v) => v > 0) && Math.max(...values) / Math.min(...values) > 100;
    const y = logScale ? Math.log10 : (v) => v;
    const yRange = range(Math.min(...values.map(y)), Math.max(...values.map(y)));
    const py = (value) => bottom - (y(value) - yRange.min) / yRange.span * (bottom - top);
    children.push(svgLine(CHART.left, bottom, CHART.left + plotWidth, bottom),
        svgLine(CHART.left, top, CHART.left, bottom));
    for (const step of ticks(xRange.min, xRange.max, 6, true)) {
      children.push(svgText(px(step), bottom + 14, String(step), 'middle'));
    }
    for (const tick of ticks(yRange.min, yRange.max, 3, false)) {
      const label = logScale ? Number((10 ** tick).toPrecision(3)).toString() : tickLabel(tick, yRange.span);
      children.push(svgText(CHART.left - 4, bottom - (tick - yRange.min) / yRange.span * (bottom - top) + 4, label,
          'end'));
    }
    const colour = SERIES_COLOURS[i % SERIES_COLOURS.length];
    const name = svgText(CHART.left + 4, panelTop + CHART.nameHeight - 4, term + (logScale ? ' (log scale)' : ''));
    name.style.fill = colour;
    const line = document.createElementNS(SVG_NS, 'polyline');
    line.dataset.term = term;
    line.style.stroke = colour;
    line.setAttribute('points', points.map(([step, value]) => px(step).toFixed(1) + ',' + py(value).toFixed(1))
        .join(' '));
    children.push(name, line);
  });
  children.push(svgText(CHART.left + plotWidth, CHART.top + series.length * CHART.panelHeight, 'step', 'end'));
  chart.setAttribute('viewBox', '0 0 ' + CHART.width + ' ' + (CHART.top + series.length * CHART.panelHeight + 4));
  chart.replaceChildren(...children);
}

/** A range that is never empty (a single step or a flat loss still gets an axis). */
function range(min, max) {
  return max > min ? { min, max, span: max - min } : { min: min - 0.5, max: max + 0.5, span: 1 };
}

/** A y axis label with as many decimals as the axis' span needs to tell its ticks apart. */
function tickLabel(value, span) {
  if (value !== 0 && (Math.abs(value) >= 1e5 || Math.abs(value) < 1e-4)) {
    return value.toExponential(2);
  }
  return value.toFixed(Math.min(6, Math.max(0, Math.ceil(-Math.log10(span)) + 1)));
}

/** About count evenly spaced values from min to max, whole numbers when integers is true. */
function ticks(min, max, count, integers) {
  const raw = (max - min) / (count - 1);
  const step = integers ? Math.max(1, Math.round(raw)) : raw;
  const values = [];
  for (let value = min; value <= max + step / 1000; value += step) {
    values.push(value);
  }
  return values;
}

function svgLine(x1, y1, x2, y2) {
  const line = document.createElementNS(SVG_NS, 'line');
  Object.entries({ x1, y1, x2, y2 }).forEach(([name, value]) => line.setAttribute(name, value));
  line.classList.add('axis');
  return line;
}

function svgText(x, y, text, anchor = 'start') {
  const label = document.createElementNS(SVG_NS, 'text');
  label.setAttribute('x', x);
  label.setAttribute('y', y);
  label.setAttribute('text-anchor', anchor);
  label.textContent = text;
  return label;
}

/** A line per step with a checkpoint or samples (a resumed run repeats steps: the last event of each counts). */
async function showCheckpoints(run, rows) {
  const byStep = new Map();
  for (const row of rows.filter((r) => r.type === 'checkpoint' || r.type === 'sample')) {
    const step = Number(row.step);
    const entry = byStep.get(step) || { checkpoint: '', samples: [] };
    if (row.type === 'checkpoint') {
      entry.checkpoint = row.checkpoint;
    } else {
      entry.samples = row.samples || [];
    }
    byStep.set(step, entry);
  }
  const signature = JSON.stringify([...byStep]);
  if (signature === run.samples) {
    return;
  }
  run.samples = signature;
  const items = [];
  for (const [step, entry] of [...byStep].sort(([a], [b]) => a - b)) {
    const item = document.createElement('li');
    item.dataset.step = step;
    const caption = document.createElement('div');
    caption.textContent = 'step ' + step + (entry.checkpoint ? ' · ' + entry.checkpoint : '');
    item.append(caption);
    for (const sample of entry.samples) {
      const image = document.createElement('img');
      image.className = 'sample';
      image.alt = 'sample at step ' + step;
      image.src = await imageUrl(sample);
      item.append(image);
    }
    items.push(item);
  }
  $('checkpoints').replaceChildren(...items);
}

async function cancelRun() {
  if (shownRun) {
    const answer = await (await api(runPath(shownRun.runId) + '/cancel', { method: 'POST' })).json();
    $('run-status').textContent = answer.cancelled ? 'cancelling' : 'not running on this orchestrator';
  }
}

function optionalNumber(id) {
  return $(id).value === '' ? undefined : Number($(id).value);
}

async function submitRun(event) {
  event.preventDefault();
  showError(null);
  try {
    const request = {
      kind: $('run-kind').value,
      dataset: $('run-dataset').value.trim(),
      outputModel: { name: $('run-output').value.trim(), version: $('run-output-version').value.trim() },
      maxTrainSteps: optionalNumber('run-steps'),
      trainBatchSize: optionalNumber('run-batch'),
      learningRate: optionalNumber('run-lr'),
      checkpointingSteps: optionalNumber('run-checkpointing'),
    };
    if ($('run-prompt').value.trim()) {
      request.validationPrompts = [$('run-prompt').value.trim()];
    }
    const submitted = await (await api('/api/v1/training-runs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    })).json();
    location.hash = '#training/' + encodeURIComponent(submitted.runId);
  } catch (error) {
    showError(error);
  }
}

$('run-cancel').addEventListener('click', () => cancelRun().catch(showError));
$('run-form').addEventListener('submit', submitRun);
