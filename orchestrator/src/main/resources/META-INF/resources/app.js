// LatentFlow's web page: the REST API (/api/v1) with the client's API key, polling the current job's status.
// The training view is in training.js; the URL's hash says which view shows (#training, #training/<run id>).
'use strict';

const $ = (id) => document.getElementById(id);
const ENDED = ['COMPLETED', 'FAILED', 'CANCELLED'];
const imageUrls = new Map();
let current = null;

function key() {
  return $('api-key').value.trim();
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { Authorization: 'Bearer ' + key(), ...(options.headers || {}) },
  });
  if (!response.ok) {
    throw await failure(response);
  }
  return response;
}

/** The error of a refused call: the field and reason the API names, else the HTTP status. */
async function failure(response) {
  let reason = response.status + ' ' + response.statusText;
  try {
    const body = await response.json();
    reason = (body.field ? body.field + ': ' : '') + body.reason;
  } catch (e) { /* not JSON */ }
  return new Error(reason);
}

async function imageUrl(objectKey) {
  if (!imageUrls.has(objectKey)) {
    const blob = await (await api('/api/v1/images/' + objectKey)).blob();
    imageUrls.set(objectKey, URL.createObjectURL(blob));
  }
  return imageUrls.get(objectKey);
}

function showError(error) {
  $('error').textContent = error ? String(error.message || error) : '';
}

async function loadChoices() {
  const models = await (await api('/api/v1/models')).json();
  const defaultModel = (await (await api('/sdapi/v1/options')).json()).sd_model_checkpoint;
  for (const select of [$('model'), $('refiner')]) {
    const keep = select === $('refiner') ? [select.options[0]] : [];
    select.replaceChildren(...keep);
    for (const model of models) {
      select.add(new Option(model.name + ' ' + model.version, JSON.stringify(model)));
    }
  }
  // first and selected: the orchestrator's default model at the version it picks itself
  $('model').prepend(new Option(defaultModel + ' (default)', JSON.stringify({ name: defaultModel, version: '' })));
  $('model').selectedIndex = 0;
  const samplers = await (await api('/sdapi/v1/samplers')).json();
  $('sampler').replaceChildren(new Option("the model's", ''));
  for (const sampler of samplers) {
    const option = new Option(sampler.name, sampler.aliases[0]);
    option.dataset.karras = sampler.name.endsWith('Karras');
    $('sampler').add(option);
  }
}

async function upload(input) {
  const file = input.files[0];
  if (!file) {
    return '';
  }
  const response = await api('/api/v1/inputs', { method: 'POST', body: file, headers: { 'Content-Type': file.type } });
  return (await response.json()).key;
}

function number(id) {
  return $(id).value === '' ? undefined : Number($(id).value);
}

async function submit(event) {
  event.preventDefault();
  showError(null);
  try {
    const model = JSON.parse($('model').value);
    const request = {
      model: { name: model.name, version: model.version },
      prompt: $('prompt').value,
      steps: number('steps'),
      guidanceScale: number('guidance'),
      seed: number('seed'),
      width: number('width'),
      height: number('height'),
      numImages: number('num-images'),
      strength: number('strength'),
      previewEverySteps: 2,
    };
    if ($('negative-prompt').value) {
      request.negativePrompt = $('negative-prompt').value;
    }
    const sampler = $('sampler').selectedOptions[0];
    if (sampler && sampler.value) {
      request.sampler = sampler.value;
      request.karras = sampler.dataset.karras === 'true';
    }
    if ($('refiner').value) {
      const refiner = JSON.parse($('refiner').value);
      request.refiner = { name: refiner.name, version: refiner.version };
    }
    request.initImage = await upload($('init-image'));
    request.mask = await upload($('mask'));
    const submitted = await (await api('/api/v1/jobs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    })).json();
    follow(submitted.jobId);
  } catch (error) {
    showError(error);
  }
}

function follow(jobId) {
  current = { jobId, previewKey: '' };
  localStorage.setItem('latentflow.job', jobId);
  $('job-id').textContent = jobId;
  $('status').textContent = 'waiting for a worker';
  $('progress').value = 0;
  $('preview').hidden = true;
  $('current').hidden = false;
  $('cancel').disabled = false;
  poll(current);
}

async function poll(job) {
  if (current !== job) {
    return;
  }
  try {
    const status = await (await api('/api/v1/jobs/' + encodeURIComponent(job.jobId))).json();
    const event = status.lastEvent || {};
    const state = status.state || 'SUBMITTED';
    const eta = status.etaSeconds ? ' · about ' + Math.ceil(status.etaSeconds) + ' s left' : '';
    if (event.progress) {
      const { step, totalSteps } = event.progress;
      $('progress').value = step / totalSteps;
      $('status').textContent = 'step ' + step + ' of ' + totalSteps + eta;
      if (status.previewKey && status.previewKey !== job.previewKey) {
        job.previewKey = status.previewKey;
        $('preview').src = await imageUrl(job.previewKey);
        $('preview').hidden = false;
      }
    } else if (state === 'ACCEPTED') {
      $('status').textContent = 'accepted, starting';
    } else if (status.queuePosition) {
      $('status').textContent = 'waiting for a worker: number ' + status.queuePosition + ' in the queue' + eta;
    }
    if (ENDED.includes(state)) {
      $('status').textContent = state.toLowerCase() + (event.failure ? ': ' + event.failure.field + ': '
          + event.failure.reason : '');
      $('progress').value = state === 'COMPLETED' ? 1 : $('progress').value;
      $('cancel').disabled = true;
      localStorage.removeItem('latentflow.job');
      current = null;
      await refreshGallery();
      return;
    }
  } catch (error) {
    showError(error);
  }
  setTimeout(() => poll(job), 400);
}

async function cancel() {
  if (current) {
    await api('/api/v1/jobs/' + encodeURIComponent(current.jobId) + '/cancel', { method: 'POST' });
    $('status').textContent = 'cancelling';
  }
}

async function refreshGallery() {
  const jobs = await (await api('/api/v1/jobs?limit=24')).json();
  const cards = [];
  for (const job of jobs) {
    const request = job.request || {};
    const card = document.createElement('div');
    card.className = 'card';
    card.dataset.jobId = job.jobId;
    const images = job.state === 'COMPLETED' && job.lastEvent.completed ? job.lastEvent.completed.images : [];
    for (const image of images) {
      const img = document.createElement('img');
      img.alt = request.prompt || '';
      img.src = await imageUrl(image.key);
      card.append(img);
    }
    const state = document.createElement('div');
    state.className = 'state';
    state.textContent = (job.state || 'SUBMITTED').toLowerCase();
    const text = document.createElement('div');
    text.textContent = (request.prompt || '') + ' · ' + (request.steps || '') + ' steps · '
        + (request.sampler || "model's sampler") + ' · seed ' + (request.seed || '') + ' · '
        + (request.model ? request.model.name : '');
    card.append(state, text);
    cards.push(card);
  }
  $('gallery').replaceChildren(...cards);
}

async function start() {
  if (!key()) {
    showError('enter an API key');
    return;
  }
  try {
    showError(null);
    delete document.body.dataset.ready;
    await loadChoices();
    await refreshGallery();
    await route();
    document.body.dataset.ready = 'true';
    const running = localStorage.getItem('latentflow.job');
    if (running) {
      follow(running);
    }
  } catch (error) {
    showError(error);
  }
}

/** Shows the view the URL's hash names, loading the training view's runs (and run) when it is that one. */
async function route() {
  const training = location.hash.startsWith('#training');
  $('generate-view').hidden = training;
  $('training-view').hidden = !training;
  $('tab-generate').classList.toggle('active', !training);
  $('tab-training').classList.toggle('active', training);
  if (training) {
    await openTraining(decodeURIComponent(location.hash.slice('#training/'.length)));
  } else {
    closeTraining();
  }
}

$('api-key').value = localStorage.getItem('latentflow.key') || '';
$('api-key').addEventListener('change', () => {
  localStorage.setItem('latentflow.key', key());
  start();
});
$('job-form').addEventListener('submit', submit);
$('cancel').addEventListener('click', cancel);
window.addEventListener('hashchange', () => route().catch(showError));
// after training.js has loaded too
window.addEventListener('DOMContentLoaded', start);
