"""One epoch of a conjugate preset (cnn3 on MNIST) done in PyTorch: the reference of
`npm run bench -- experiment-epoch`, which writes the workload JSON from the preset
(tools/bench/epoch-vs-torch/workload.ts) and runs `/usr/bin/python3 tools/bench/torch_paper_epoch.py WORKLOAD.json`.

The same work as the stack's epoch, step by step (the same shapes, counts, steps and resamples; not the
same numbers — the initialisation differs): train one epoch; clean test accuracy; PGD in pixel and in
feature space (budget (eps/std_x)*std_g over the attacked images); the ensemble estimator (one forward
and backward per point, then Poisson-bootstrap resamples as [R, n] x [n, D] matrix products, for all
points and per class) and the packet estimator (K points x N tilted-Gaussian samples, jackknife over
batches), each in pixel and feature space; and, when the epoch maps the feature space, PGD on the
embedding points, exact t-SNE of clean and attacked features and the region grid.

Prints each step's seconds to stderr as it goes and one JSON line to stdout at the end:
{"torch": version, "threads": n, "steps": [[step, seconds], ...]} with the stack's step names.
Needs Debian's python3-torch (PyTorch 1.13) and numpy.
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


# ---- data -------------------------------------------------------------------------------------------

def read_idx(directory, name):
    """An IDX file (raw or .gz) as a numpy array."""
    import gzip
    path = os.path.join(directory, name)
    opener = open
    if not os.path.exists(path):
        path, opener = path + '.gz', gzip.open
    with opener(path, 'rb') as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def mnist_split(directory, images_file, labels_file):
    images = torch.from_numpy(read_idx(directory, images_file).astype(np.float32) / 255.0).unsqueeze(1)
    labels = torch.from_numpy(read_idx(directory, labels_file).astype(np.int64))
    return images, labels


# ---- the network: libs/models cnn3, split after block3 (576 features) -------------------------------

class Cnn3(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.conv3 = nn.Conv2d(64, 64, 3)
        self.fc1 = nn.Linear(3 * 3 * 64, 64)
        self.out = nn.Linear(64, classes)

    def features(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return F.relu(self.conv3(x)).flatten(1)

    def head(self, z):
        return self.out(F.relu(self.fc1(z)))

    def forward(self, x):
        return self.head(self.features(x))


# ---- training and clean accuracy --------------------------------------------------------------------

def train_epoch(model, images, labels, spec, generator):
    optimizer = (torch.optim.SGD if spec['optimizer'] == 'sgd' else torch.optim.Adam)(model.parameters(), lr=spec['learning_rate'])
    n = spec['images']
    order = torch.randperm(images.shape[0], generator=generator)[:n]
    loss_sum, correct = 0.0, 0
    for start in range(0, n, spec['batch_size']):
        index = order[start:start + spec['batch_size']]
        x, y = images[index], labels[index]
        optimizer.zero_grad()
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(index)  # read back each step, as the stack does
        correct += (logits.argmax(1) == y).sum().item()
    return loss_sum / n, correct / n


@torch.no_grad()
def test_accuracy(model, images, labels, spec):
    correct, loss_sum = 0, 0.0
    for start in range(0, spec['images'], spec['batch_size']):
        x, y = images[start:start + spec['batch_size']], labels[start:start + spec['batch_size']]
        logits = model(x)
        correct += (logits.argmax(1) == y).sum().item()
        loss_sum += F.cross_entropy(logits, y, reduction='sum').item()
    return correct / spec['images']


# ---- attacks (libs/attacks: PGD L-inf, from the clean point or a uniform start, projected and clipped) --

def into_box(x, lower, upper):
    """x clipped into [lower, upper]; an infinite side is no bound."""
    low, high = (None if lower == -math.inf else lower), (None if upper == math.inf else upper)
    return x if low is None and high is None else x.clamp(min=low, max=high)


def pgd(logits_of, clean, labels, epsilon, step_size, steps, lower, upper, random_start, generator):
    x = clean.clone()
    if random_start:
        x = into_box(clean + (torch.rand(clean.shape, generator=generator) * 2 - 1) * epsilon, lower, upper)
    for _ in range(steps):
        x.requires_grad_(True)
        loss = F.cross_entropy(logits_of(x), labels, reduction='sum')
        gradient, = torch.autograd.grad(loss, x)
        with torch.no_grad():
            x = into_box(clean + (x + step_size * gradient.sign() - clean).clamp(-epsilon, epsilon), lower, upper)
    return x.detach()


def attack_counts(logits_of, clean_logits_of, inputs, clean_images, labels, spec, epsilon, step_size, lower, upper, generator):
    """One batch as runAttack + countRobustness do it: clean predictions, PGD, adversarial predictions, norms."""
    with torch.no_grad():
        clean_predictions = clean_logits_of(clean_images).argmax(1)
    adversarial = pgd(logits_of, inputs, labels, epsilon, step_size, spec['steps'], lower, upper, spec['random_start'], generator)
    with torch.no_grad():
        adversarial_predictions = logits_of(adversarial).argmax(1)
        _norms = (adversarial - inputs).abs().flatten(1).amax(1)  # the result carries them too
    clean_right = clean_predictions == labels
    return clean_right.sum().item(), (clean_right & (adversarial_predictions == labels)).sum().item(), adversarial


def robust_pixel(model, images, labels, spec, generator):
    robust = 0
    for start in range(0, spec['images'], spec['batch_size']):
        x, y = images[start:start + spec['batch_size']], labels[start:start + spec['batch_size']]
        robust += attack_counts(model, model, x, x, y, spec, spec['epsilon'], spec['step_size'], 0.0, 1.0, generator)[1]
    return robust / spec['images']


@torch.no_grad()
def space_scale(model, images, batch_size):
    """std_x over every pixel, std_g over every feature, and whether the features are non-negative."""
    moments = {'x': [0, 0.0, 0.0], 'g': [0, 0.0, 0.0]}
    minimum = math.inf
    for start in range(0, images.shape[0], batch_size):
        x = images[start:start + batch_size]
        z = model.features(x)
        for key, values in (('x', x), ('g', z)):
            v = values.double()
            moments[key][0] += v.numel()
            moments[key][1] += v.sum().item()
            moments[key][2] += (v * v).sum().item()
        minimum = min(minimum, z.min().item())
    std = {k: math.sqrt(max(0.0, s2 / n - (s / n) ** 2)) for k, (n, s, s2) in moments.items()}
    return std['x'], std['g'], minimum >= 0


def robust_feature(model, images, labels, spec, generator):
    attacked = images[:spec['images']]
    std_x, std_g, non_negative = space_scale(model, attacked, spec['batch_size'])
    factor = std_g / std_x
    robust = 0
    for start in range(0, spec['images'], spec['batch_size']):
        x, y = attacked[start:start + spec['batch_size']], labels[start:start + spec['batch_size']]
        with torch.no_grad():
            z = model.features(x)
        robust += attack_counts(model.head, model, z, x, y, spec, spec['epsilon'] * factor, spec['step_size'] * factor,
                                0.0 if non_negative else -math.inf, math.inf, generator)[1]
    return robust / spec['images']


# ---- the estimators' shared parts (libs/uncertainty: log-loss.ts, estimate.ts) -----------------------

def stable_log_loss(logits, labels):
    one_hot = F.one_hot(labels, logits.shape[1]).to(logits.dtype)
    label_logit = (logits * one_hot).sum(1, keepdim=True)
    t = torch.logsumexp(logits - label_logit + one_hot * -1e30, 1)
    return torch.log(F.softplus(t.clamp(min=-15.0))) + (t.clamp(max=-15.0) + 15.0)


def log_loss_and_score(log_loss_of, points, labels):
    points = points.detach().requires_grad_(True)
    per_row = log_loss_of(points, labels)
    score, = torch.autograd.grad(per_row.sum(), points)
    return per_row.detach(), score


def space_inputs(model, images, space, batch_size):
    """X in the estimator's space, log l of a batch there, and sigma's scale (estimateOnClassifier)."""
    with torch.no_grad():
        features = torch.cat([model.features(images[s:s + batch_size]) for s in range(0, images.shape[0], batch_size)])
    std_x, std_g = images.double().std(unbiased=False).item(), features.double().std(unbiased=False).item()
    if space == 'pixel':
        return images, lambda x, y: stable_log_loss(model(x), y), std_x, std_g
    return features, lambda z, y: stable_log_loss(model.head(z), y), std_x, std_g


def scores_at(log_loss_of, points, labels, batch_size):
    log_loss, scores = [], []
    for start in range(0, points.shape[0], batch_size):
        ll, s = log_loss_and_score(log_loss_of, points[start:start + batch_size], labels[start:start + batch_size])
        log_loss.append(ll)
        scores.append(s.flatten(1))
    return torch.cat(log_loss), torch.cat(scores)


# ---- the ensemble estimator (ensemble.ts, ensemble-summary.ts, ensemble-resamples.ts) ---------------

RESAMPLES_PER_SLICE = 50


def ensemble_scalars(dx, dp, ess, active, std):
    """The reported scalars over the active dimensions, for rows of resamples: [R, D] -> [R, 7]."""
    dx, dp = dx[:, active], dp[:, active]
    product = dx * dp
    ordered = product.sort(1).values
    mid = ordered.shape[1] // 2
    median = ordered[:, mid] if ordered.shape[1] % 2 else (ordered[:, mid - 1] + ordered[:, mid]) / 2
    return torch.stack([dx.mean(1), dp.mean(1), product.mean(1), median, (product >= 0.5).double().mean(1),
                        (dx / std[active]).mean(1), (dp * std[active]).mean(1)], 1)


def weighted_moments(w, x, s, counts=None):
    c = w if counts is None else counts * w
    sum_w, sum_w2 = c.sum(-1), (c * w).sum(-1)
    mean_x, mean_s = (c @ x) / sum_w[..., None], (c @ s) / sum_w[..., None]
    omega2 = sum_w2 / (sum_w * sum_w)
    dx = ((c @ (x * x)) / sum_w[..., None] - mean_x ** 2).clamp(min=0) / (1 - omega2[..., None])
    dp = ((c @ (s * s)) / sum_w[..., None] - mean_s ** 2).clamp(min=0)
    return dx.sqrt(), dp.sqrt(), mean_x, mean_s, 1 / omega2


def ensemble_group(x, s, log_loss, resamples, generator, standardize):
    x64, s64 = x.double(), s.double()
    w = torch.exp(2 * log_loss.double() - (2 * log_loss.double()).max())
    dx, dp, mean_x, mean_s, ess = weighted_moments(w, x64, s64)
    std = x64.std(0, unbiased=False)
    active = std > 1e-6
    ensemble_scalars(dx[None], dp[None], ess, active, std)
    # Resamples as matrix products on centred float32 quantities, the scalar sums in float64.
    centred = [q.float() for q in (x64 - mean_x, (x64 - mean_x) ** 2, s64 - mean_s, (s64 - mean_s) ** 2)]
    draws = []
    for first in range(0, resamples, RESAMPLES_PER_SLICE):
        count = min(RESAMPLES_PER_SLICE, resamples - first)
        counts = torch.poisson(torch.ones(count, x.shape[0]), generator=generator).double()
        scaled = (counts * w).float()
        sum_w, sum_w2 = (counts * w).sum(1), (counts * w * w).sum(1)
        sx, sx2, ss, ss2 = [(scaled @ q).double() for q in centred]
        omega2 = sum_w2 / (sum_w * sum_w)
        mx, ms = sx / sum_w[:, None], ss / sum_w[:, None]
        rdx = ((sx2 / sum_w[:, None] - mx * mx).clamp(min=0) / (1 - omega2[:, None])).sqrt()
        rdp = (ss2 / sum_w[:, None] - ms * ms).clamp(min=0).sqrt()
        draws.append(ensemble_scalars(rdx, rdp, 1 / omega2, active, std))
    return torch.cat(draws).std(0)  # the bootstrap standard errors


def ensemble(model, images, labels, space, spec, generator):
    points, log_loss_of, _, _ = space_inputs(model, images, space, spec['batch_size'])
    log_loss, scores = scores_at(log_loss_of, points, labels, spec['batch_size'])
    flat = points.reshape(points.shape[0], -1)
    groups = [torch.arange(len(labels))] + [torch.nonzero(labels == c).flatten() for c in labels.unique().tolist()]
    for members in groups:
        if len(members) >= 2:
            ensemble_group(flat[members], scores[members], log_loss[members], spec['bootstrap_resamples'], generator, space == 'feature')


# ---- the packet estimator (packet-sampler.ts, packet-statistics.ts, packet-point.ts, packet-summary.ts) --

def packet_moments(cells, batches):
    """Moments at one point from the given batch cells, rescaled to a common log reference."""
    ref = cells['log_ref'][batches].max()
    scale = torch.exp(cells['log_ref'][batches] - ref)
    sum_w, sum_w2 = (scale * cells['sum_w'][batches]).sum(), (scale * scale * cells['sum_w2'][batches]).sum()
    m = (scale[:, None] * cells['sum_wd'][batches]).sum(0) / sum_w
    dx = (((scale[:, None] * cells['sum_wd2'][batches]).sum(0) / sum_w - m * m).clamp(min=0) / (1 - sum_w2 / sum_w ** 2)).sqrt()
    dp = ((scale[:, None] * cells['sum_wsu2'][batches]).sum(0) / sum_w).sqrt()
    return torch.cat([torch.stack([dx.mean(), dp.mean(), (dx * dp).mean(), (dx * dp).min(), sum_w ** 2 / sum_w2]), dx, dp, dx * dp, m])


def packet_point(log_loss_of, x0, label, tilt, sigma, spec, generator):
    """N samples around one point in jackknife batches, their sufficient statistics, the jackknife estimate."""
    n, batches = spec['samples'], spec['jackknife_batches']
    counts = [n // batches + (1 if b < n % batches else 0) for b in range(batches)]
    mu = torch.where(torch.isfinite(tilt), 2 * sigma * sigma * tilt, torch.zeros_like(tilt))
    displacement = mu[None] + sigma * torch.randn(n, mu.numel(), generator=generator)
    log_loss, scores = [], []
    for start in range(0, n, spec['batch_size']):
        d = displacement[start:start + spec['batch_size']]
        x = x0[None] + d.reshape(d.shape[0], *x0.shape)
        ll, s = log_loss_and_score(log_loss_of, x, torch.full((d.shape[0],), label, dtype=torch.long))
        log_loss.append(ll)
        scores.append(s.flatten(1))
    d64, s64 = displacement.double(), torch.cat(scores).double()
    log_w = 2 * torch.cat(log_loss).double() - (d64 @ mu.double()) / sigma ** 2
    log_w = torch.nan_to_num(log_w, nan=-math.inf)
    su = s64 - d64 / (2 * sigma ** 2)
    cells = {key: [] for key in ('log_ref', 'sum_w', 'sum_w2', 'sum_wd', 'sum_wd2', 'sum_wsu2')}
    row = 0
    for count in counts:
        lw, d, u = log_w[row:row + count], d64[row:row + count], su[row:row + count]
        ref = lw.max()
        w = torch.exp(lw - ref)
        for key, value in (('log_ref', ref), ('sum_w', w.sum()), ('sum_w2', (w * w).sum()), ('sum_wd', w @ d),
                           ('sum_wd2', w @ (d * d)), ('sum_wsu2', w @ (u * u))):
            cells[key].append(value)
        row += count
    cells = {key: torch.stack(values) for key, values in cells.items()}
    everything = list(range(batches))
    full = packet_moments(cells, everything)
    leave_one_out = torch.stack([packet_moments(cells, [g for g in everything if g != b]) for b in everything])
    errors = (((batches - 1) / batches) * ((leave_one_out - leave_one_out.mean(0)) ** 2).sum(0)).sqrt()
    return full, errors


def packet(model, images, labels, space, spec, generator):
    points, log_loss_of, std_x, std_g = space_inputs(model, images, space, spec['batch_size'])
    sigma = spec['sigma'] if space == 'pixel' else spec['sigma'] / std_x * std_g
    _, tilts = scores_at(log_loss_of, points, labels, spec['batch_size'])
    estimates = torch.stack([packet_point(log_loss_of, points[k], labels[k].item(), tilts[k], sigma, spec, generator)[0]
                             for k in range(points.shape[0])])
    for label in [None] + labels.unique().tolist():  # across points: overall and per class, and the maps
        group = estimates if label is None else estimates[labels == label]
        group.mean(0), group.std(0)


# ---- the feature map (libs/embedding: druidjs' exact t-SNE, regionGrid) ------------------------------

def tsne(rows, perplexity, iterations, generator, epsilon=10.0):
    x = rows.double()
    n = x.shape[0]
    squares = (x * x).sum(1)
    distances = (squares[:, None] + squares[None] - 2 * x @ x.T).clamp(min=0)
    target = math.log(perplexity)
    beta = torch.ones(n, dtype=torch.float64)
    low = torch.full((n,), -math.inf, dtype=torch.float64)
    high = torch.full((n,), math.inf, dtype=torch.float64)
    for _ in range(50):  # the binary search for each row's precision, 50 tries at most
        p = torch.exp(-distances * beta[:, None])
        p.fill_diagonal_(0)
        total = p.sum(1)
        entropy = torch.where(total > 0, torch.log(total) + beta * (distances * p).sum(1) / total, torch.zeros_like(total))
        done = (entropy - target).abs() < 1e-4
        if bool(done.all()):
            break
        above = (entropy > target) & ~done
        below = ~above & ~done
        low = torch.where(above, beta, low)
        high = torch.where(below, beta, high)
        beta = torch.where(above, torch.where(torch.isinf(high), beta * 2, (beta + high) / 2),
                           torch.where(below, torch.where(torch.isinf(low), beta / 2, (beta + low) / 2), beta))
    p = p / total[:, None]
    p = ((p + p.T) / (2 * n)).clamp(min=1e-100)
    y = torch.randn(n, 2, generator=generator, dtype=torch.float64) * 1e-4
    step = torch.zeros_like(y)
    gains = torch.ones_like(y)
    for iteration in range(1, iterations + 1):
        exaggeration = 4 if iteration < 100 else 1
        momentum = 0.5 if iteration < 250 else 0.8
        squares = (y * y).sum(1)
        q_unnormalised = 1 / (1 + (squares[:, None] + squares[None] - 2 * y @ y.T).clamp(min=0))
        q_unnormalised.fill_diagonal_(0)
        q = (q_unnormalised / q_unnormalised.sum()).clamp(min=1e-100)
        premultiplied = 4 * (exaggeration * p - q) * q_unnormalised
        gradient = premultiplied.sum(1)[:, None] * y - premultiplied @ y
        gains = torch.where(torch.sign(gradient) == torch.sign(step), gains * 0.8, gains + 0.2).clamp(min=0.01)
        step = momentum * step - epsilon * gains * gradient
        y = y + step
        y = y - y.mean(0)
    return y


def region_grid(points, probabilities, size, neighbours):
    low, high = points.min(0).values, points.max(0).values
    pad = (high - low) * 0.05
    low, high = low - pad, high + pad
    centres = (torch.arange(size, dtype=torch.float64) + 0.5) / size
    xs, ys = low[0] + centres * (high[0] - low[0]), low[1] + centres * (high[1] - low[1])
    cells = torch.stack([xs.repeat(size), ys.repeat_interleave(size)], 1)  # row-major, row 0 at y min
    distances = torch.cdist(cells, points)
    order = distances.argsort(1)[:, :neighbours]
    weights = 1 / (distances.gather(1, order) + 1e-9)
    mean = (weights[:, :, None] * probabilities.double()[order]).sum(1) / weights.sum(1, keepdim=True)
    return mean.argmax(1), mean.max(1).values


def embedding(model, images, labels, spec, generator):
    chosen = torch.randperm(images.shape[0], generator=generator)[:spec['points']]
    x, y = images[chosen], labels[chosen]
    attack = spec['attack']
    _, _, adversarial = attack_counts(model, model, x, x, y, attack, attack['epsilon'], attack['step_size'], 0.0, 1.0, generator)
    with torch.no_grad():
        z, z_adversarial = model.features(x), model.features(adversarial)
        p, p_adversarial = F.softmax(model.head(z), 1), F.softmax(model.head(z_adversarial), 1)
    rows = torch.cat([z, z_adversarial])
    perplexity = max(2, min(spec['perplexity'], (rows.shape[0] - 1) // 3))
    mapped = tsne(rows, perplexity, spec['iterations'], generator)
    region_grid(mapped, torch.cat([p, p_adversarial]), spec['grid'], spec['neighbours'])


# ---- the epoch ---------------------------------------------------------------------------------------

def main():
    with open(sys.argv[1]) as f:
        work = json.load(f)
    torch.set_num_threads(work['threads'])
    torch.manual_seed(work['seed'])
    generator = torch.Generator().manual_seed(work['seed'])
    train_images, train_labels = mnist_split(work['dataset_dir'], 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte')
    test_images, test_labels = mnist_split(work['dataset_dir'], 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')
    model = Cnn3()
    print(f'# torch {torch.__version__}, {torch.get_num_threads()} threads', file=sys.stderr)

    steps = []

    def step(name, run):
        started = time.perf_counter()
        run()
        seconds = time.perf_counter() - started
        steps.append([name, seconds])
        print(f'# torch {name}: {seconds:.1f} s', file=sys.stderr, flush=True)

    def subset(count):
        chosen = torch.randperm(test_images.shape[0], generator=generator)[:count].sort().values
        return test_images[chosen], test_labels[chosen]

    step('train', lambda: train_epoch(model, train_images, train_labels, work['train'], generator))
    model.eval()
    step('test-accuracy', lambda: test_accuracy(model, test_images, test_labels, work['test_accuracy']))
    if work['robust']:
        step('robust/pixel', lambda: robust_pixel(model, test_images, test_labels, work['robust'], generator))
        step('robust/feature', lambda: robust_feature(model, test_images, test_labels, work['robust'], generator))
    for name, estimator in (('ensemble', ensemble), ('packet', packet)):
        if work[name]:
            images, labels = subset(work[name]['points'])
            for space in ('pixel', 'feature'):
                step(f'{name}/{space}', lambda: estimator(model, images, labels, space, work[name], generator))
    if work['embedding']:
        step('embedding', lambda: embedding(model, test_images, test_labels, work['embedding'], generator))
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'steps': steps}))


if __name__ == '__main__':
    main()
