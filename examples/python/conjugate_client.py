#!/usr/bin/env python3
"""Calls every conjugate service from Python, with stubs generated from proto/ (./generate.sh first).

Lists the datasets, starts a tiny training run and follows it, fetches its checkpoint, attacks a batch
of test images with it (PGD, pixel space), estimates Δx/Δp with the packet estimator and prints the
numbers. Exits non-zero, naming the step, when any call fails.

    examples/python/generate.sh
    /usr/bin/python3 examples/python/conjugate_client.py --data 127.0.0.1:50051 --training 127.0.0.1:50052 \
        --attack 127.0.0.1:50053 --uncertainty 127.0.0.1:50054
"""
import argparse
import os
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen"))

import grpc  # noqa: E402  (Debian python3-grpcio)
from conjugate.v1 import attack_pb2, attack_pb2_grpc, common_pb2, data_pb2, data_pb2_grpc  # noqa: E402
from conjugate.v1 import model_pb2, tensor_pb2, training_pb2, training_pb2_grpc  # noqa: E402
from conjugate.v1 import uncertainty_pb2, uncertainty_pb2_grpc  # noqa: E402

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
]
TERMINAL_STATES = {
    training_pb2.RUN_STATE_COMPLETED,
    training_pb2.RUN_STATE_FAILED,
    training_pb2.RUN_STATE_STOPPED,
}


def tensor_values(tensor):
    """A Tensor message's elements as a flat Python list (raw little-endian bytes, row-major)."""
    codes = {tensor_pb2.DTYPE_FLOAT32: "f", tensor_pb2.DTYPE_INT32: "i", tensor_pb2.DTYPE_FLOAT64: "d",
             tensor_pb2.DTYPE_UINT8: "B", tensor_pb2.DTYPE_BOOL: "B"}
    code = codes[tensor.dtype]
    count = len(tensor.data) // struct.calcsize(code)
    return list(struct.unpack("<%d%s" % (count, code), tensor.data))


def estimate_text(estimate):
    if estimate.missing_reason:
        return "missing (%s)" % estimate.missing_reason
    return "%.4g ± %.2g" % (estimate.value, estimate.standard_error)


def step(name):
    print("\n== %s" % name, flush=True)


def add_tls_arguments(parser):
    """--tls-ca/--tls-cert/--tls-key/--tls-server-name (or the TLS_* env vars), for channel_factory."""
    env = os.environ.get
    parser.add_argument("--tls-ca", default=env("TLS_CA_FILE"), help="CA certificate (PEM) of the services: turns TLS on")
    parser.add_argument("--tls-cert", default=env("TLS_CERT_FILE"), help="client certificate (PEM) for mutual TLS")
    parser.add_argument("--tls-key", default=env("TLS_KEY_FILE"), help="its private key (PEM)")
    parser.add_argument("--tls-server-name", default=env("TLS_SERVER_NAME"), help="name expected in the services' certificates")


def channel_factory(args):
    """Plaintext channels, or TLS (mutual TLS with a client certificate) when --tls-ca is given."""
    if not args.tls_ca:
        return lambda address: grpc.insecure_channel(address, CHANNEL_OPTIONS)
    if bool(args.tls_cert) != bool(args.tls_key):
        sys.exit("--tls-cert and --tls-key go together")

    def read(path):
        with open(path, "rb") as file:
            return file.read()

    credentials = grpc.ssl_channel_credentials(
        root_certificates=read(args.tls_ca),
        private_key=read(args.tls_key) if args.tls_key else None,
        certificate_chain=read(args.tls_cert) if args.tls_cert else None,
    )
    options = CHANNEL_OPTIONS + ([("grpc.ssl_target_name_override", args.tls_server_name)] if args.tls_server_name else [])
    return lambda address: grpc.secure_channel(address, credentials, options)


def main():
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=env("DATA_SERVICE_ADDRESS", "127.0.0.1:50051"))
    parser.add_argument("--training", default=env("TRAINING_SERVICE_ADDRESS", "127.0.0.1:50052"))
    parser.add_argument("--attack", default=env("ATTACK_SERVICE_ADDRESS", "127.0.0.1:50053"))
    parser.add_argument("--uncertainty", default=env("UNCERTAINTY_SERVICE_ADDRESS", "127.0.0.1:50054"))
    parser.add_argument("--dataset", default="", help="dataset name (default: the first available of mnist, fashion-mnist, synthetic)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-limit", type=int, default=256)
    parser.add_argument("--points", type=int, default=16, help="test images to attack")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the run")
    add_tls_arguments(parser)
    args = parser.parse_args()
    channel = channel_factory(args)

    data = data_pb2_grpc.DataServiceStub(channel(args.data))
    training = training_pb2_grpc.TrainingServiceStub(channel(args.training))
    attack = attack_pb2_grpc.AttackServiceStub(channel(args.attack))
    uncertainty = uncertainty_pb2_grpc.UncertaintyServiceStub(channel(args.uncertainty))

    step("DataService.ListDatasets")
    datasets = data.ListDatasets(data_pb2.ListDatasetsRequest(), timeout=30).datasets
    for info in datasets:
        state = "available" if info.available else "unavailable: " + info.unavailable_reason
        print("%-14s %s, %d classes, train %d, test %d (%s)" % (
            info.name, "x".join(str(d) for d in info.image_shape), info.num_classes, info.train_size, info.test_size, state))
    available = [info.name for info in datasets if info.available]
    dataset = args.dataset or next((name for name in ("mnist", "fashion-mnist", "synthetic") if name in available), "")
    if dataset not in available:
        raise SystemExit("no usable dataset (asked %r, available %s)" % (args.dataset, available))

    step("TrainingService.StartRun (tiny model on %s, %d epoch(s), %d images)" % (dataset, args.epochs, args.train_limit))
    config = training_pb2.RunConfig(
        name="python client", dataset=dataset, model=model_pb2.ModelSpec(architecture="tiny", seed=1),
        epochs=args.epochs, batch_size=32, seed=1, train_limit=args.train_limit,
        evaluation=training_pb2.EvaluationConfig(test_limit=128),
    )
    run = training.StartRun(training_pb2.StartRunRequest(config=config), timeout=60)
    print("run %s: %s" % (run.id, training_pb2.RunState.Name(run.state)))

    step("TrainingService.WatchRun")
    final_state = run.state
    for event in training.WatchRun(training_pb2.WatchRunRequest(run_id=run.id), timeout=args.timeout):
        kind = event.WhichOneof("event")
        if kind == "epoch":
            m = event.epoch.metrics
            print("epoch %d: train loss %.4f acc %.3f, test loss %.4f acc %.3f" % (
                m.epoch, m.train_loss, m.train_accuracy, m.test_loss, m.test_accuracy))
        elif kind == "status":
            final_state = event.status.state
            print("status %s %s" % (training_pb2.RunState.Name(final_state), event.status.reason))
            if final_state in TERMINAL_STATES:
                break
    if final_state != training_pb2.RUN_STATE_COMPLETED:
        raise SystemExit("run %s ended %s" % (run.id, training_pb2.RunState.Name(final_state)))

    step("TrainingService.GetCheckpoint (latest)")
    model = training.GetCheckpoint(training_pb2.GetCheckpointRequest(run_id=run.id, epoch=-1), timeout=60)
    weight_bytes = sum(len(w.tensor.data) for w in model.weights)
    print("%s epoch %d: %d weight tensors, %d parameters" % (
        model.spec.architecture, model.epoch, len(model.weights), weight_bytes // 4))

    step("DataService.StreamBatches (%d test images)" % args.points)
    batches = list(data.StreamBatches(data_pb2.StreamBatchesRequest(
        dataset=dataset, split=common_pb2.SPLIT_TEST, batch_size=args.points, limit=args.points), timeout=60))
    images, labels = batches[0].images, batches[0].labels
    print("images %s, labels %s" % (list(images.shape), tensor_values(labels)))

    step("AttackService.AttackBatch (PGD L-inf, pixel, the checkpoint sent inline)")
    spec = attack_pb2.AttackSpec(method=attack_pb2.ATTACK_METHOD_PGD, norm=attack_pb2.NORM_LINF,
                                 space=common_pb2.SPACE_PIXEL, epsilon=8 / 255, step_size=2 / 255, steps=4)
    response = attack.AttackBatch(attack_pb2.AttackBatchRequest(
        model=model_pb2.ModelSource(inline=model), attack=spec, images=images, labels=labels), timeout=120)
    truth = tensor_values(labels)
    clean = tensor_values(response.clean_predictions)
    adversarial = tensor_values(response.adversarial_predictions)
    norms = tensor_values(response.perturbation_norms)
    clean_accuracy = sum(p == y for p, y in zip(clean, truth)) / len(truth)
    robust_accuracy = sum(p == y for p, y in zip(adversarial, truth)) / len(truth)
    print("clean accuracy %.3f, robust accuracy %.3f, max perturbation %.4f (epsilon %.4f)" % (
        clean_accuracy, robust_accuracy, max(norms), response.epsilon_used))
    if max(norms) > response.epsilon_used * 1.0001:
        raise SystemExit("perturbation %.6f exceeds the budget %.6f" % (max(norms), response.epsilon_used))

    step("UncertaintyService.Estimate (packet, pixel, the checkpoint by reference)")
    request = uncertainty_pb2.EstimateRequest(
        model=model_pb2.ModelSource(ref=model_pb2.ModelRef(run_id=run.id, epoch=-1)),
        points=uncertainty_pb2.PointSelection(dataset=uncertainty_pb2.PointSelection.DatasetPoints(
            dataset=dataset, split=common_pb2.SPLIT_TEST, indices=list(range(4)))),
        spec=uncertainty_pb2.EstimatorSpec(estimator=uncertainty_pb2.ESTIMATOR_PACKET, space=common_pb2.SPACE_PIXEL,
                                           num_samples=32, jackknife_batches=8, seed=7),
    )
    started = time.time()
    result = None
    for update in uncertainty.Estimate(request, timeout=300):
        if update.WhichOneof("update") == "progress":
            p = update.progress
            print("  %s %d/%d %s" % (p.stage, p.done, p.total, p.unit))
        else:
            result = update.result
    if result is None or result.WhichOneof("result") != "packet":
        raise SystemExit("Estimate returned no packet result")
    summary = result.packet.overall
    print("sigma %.5f over %d points in %.1f s" % (result.packet.sigma, summary.num_points, time.time() - started))
    print("mean Δx      %s" % estimate_text(summary.mean_dx))
    print("mean Δp      %s" % estimate_text(summary.mean_dp))
    print("mean Δx·Δp   %s  (bound 1/2)" % estimate_text(summary.mean_product))
    print("min  Δx·Δp   %s" % estimate_text(summary.min_product))
    for warning in result.warnings:
        print("warning: %s" % warning)
    print("\npython client: all calls succeeded")


if __name__ == "__main__":
    try:
        main()
    except grpc.RpcError as error:
        raise SystemExit("gRPC call failed: %s: %s" % (error.code().name, error.details()))
