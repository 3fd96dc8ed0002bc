#!/usr/bin/env python3
"""Sends your own Keras / TF.js Layers model to conjugate and prints its robust accuracy and Δx·Δp.

A model.json with its weight shards beside it — what tfjs-layers' model.save() or
`tensorflowjs_converter --input_format keras model.h5 out/` writes — goes inline in a ModelSource with
ModelSpec.architecture = "layers": the topology as JSON text, every float32 weight a NamedTensor under
its manifest name. The services split it at the input of its last Dense layer (or --feature-layer).
The default model is fixtures/small-cnn, a small MNIST CNN trained and saved with tfjs-layers
(tools/fixtures/small-layers-cnn.ts makes it).

    examples/python/generate.sh
    /usr/bin/python3 examples/python/own_model.py --attack 127.0.0.1:50053 --uncertainty 127.0.0.1:50054
"""
import argparse
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "gen"))

import grpc  # noqa: E402  (Debian python3-grpcio)
from conjugate.v1 import attack_pb2, attack_pb2_grpc, common_pb2, model_pb2, tensor_pb2  # noqa: E402
from conjugate.v1 import uncertainty_pb2, uncertainty_pb2_grpc  # noqa: E402
from conjugate_client import add_tls_arguments, channel_factory  # noqa: E402  (plaintext or mutual TLS, as the main example)

CHANNEL_OPTIONS = [("grpc.max_receive_message_length", 64 * 1024 * 1024), ("grpc.max_send_message_length", 64 * 1024 * 1024)]


def read_layers_model(path, feature_layer="", input_min=0.0, input_max=0.0):
    """model.json + shards → a conjugate.v1.Model carrying the Layers topology and its float32 weights."""
    with open(path) as f:
        model_json = json.load(f)
    if "modelTopology" not in model_json:
        raise SystemExit("%s has no modelTopology: is it a TF.js Layers model.json?" % path)
    weights = []
    for group in model_json.get("weightsManifest", []):
        data = b"".join(open(os.path.join(os.path.dirname(path), shard), "rb").read() for shard in group["paths"])
        offset = 0
        for spec in group["weights"]:
            if spec.get("dtype", "float32") != "float32" or spec.get("quantization"):
                raise SystemExit("weight %s is not plain float32 (convert without quantization)" % spec["name"])
            count = 1
            for d in spec["shape"]:
                count *= d
            tensor = tensor_pb2.Tensor(dtype=tensor_pb2.DTYPE_FLOAT32, shape=spec["shape"], data=data[offset:offset + 4 * count])
            weights.append(tensor_pb2.NamedTensor(name=spec["name"], tensor=tensor))
            offset += 4 * count
        if offset != len(data):
            raise SystemExit("the shards of %s hold %d bytes, the weights need %d" % (path, len(data), offset))
    topology = model_pb2.LayersTopology(model_topology_json=json.dumps(model_json["modelTopology"]), input_min=input_min, input_max=input_max)
    spec = model_pb2.ModelSpec(architecture="layers", feature_layer=feature_layer, layers=topology)
    return model_pb2.Model(spec=spec, weights=weights)


def estimate_text(estimate):
    if estimate.missing_reason:
        return "missing (%s)" % estimate.missing_reason
    return "%.4g ± %.2g" % (estimate.value, estimate.standard_error)


def main():
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--attack", default=env("ATTACK_SERVICE_ADDRESS", "127.0.0.1:50053"))
    parser.add_argument("--uncertainty", default=env("UNCERTAINTY_SERVICE_ADDRESS", "127.0.0.1:50054"))
    parser.add_argument("--model", default=os.path.join(here, "fixtures", "small-cnn", "model.json"), help="PATH/model.json")
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--feature-layer", default="", help="layer whose output is the feature vector (default: the input of the last Dense layer)")
    parser.add_argument("--limit", type=int, default=200, help="test images attacked")
    parser.add_argument("--points", type=int, default=8, help="packet estimator points")
    add_tls_arguments(parser)
    args = parser.parse_args()
    channel = channel_factory(args)

    model = read_layers_model(args.model, args.feature_layer)
    print("%s: %d weight tensors, %d parameters" % (args.model, len(model.weights), sum(len(w.tensor.data) for w in model.weights) // 4))
    source = model_pb2.ModelSource(inline=model)
    attack = attack_pb2_grpc.AttackServiceStub(channel(args.attack))
    uncertainty = uncertainty_pb2_grpc.UncertaintyServiceStub(channel(args.uncertainty))

    for space, name in ((common_pb2.SPACE_PIXEL, "pixel"), (common_pb2.SPACE_FEATURE, "feature")):
        spec = attack_pb2.AttackSpec(method=attack_pb2.ATTACK_METHOD_PGD, norm=attack_pb2.NORM_LINF, space=space,
                                     epsilon=8 / 255, step_size=2 / 255, steps=4)
        request = attack_pb2.EvaluateRobustnessRequest(model=source, attack=spec, dataset=args.dataset,
                                                       split=common_pb2.SPLIT_TEST, limit=args.limit, batch_size=100)
        result = None
        for update in attack.EvaluateRobustness(request, timeout=300):
            if update.WhichOneof("update") == "result":
                result = update.result
        if result is None:
            raise SystemExit("EvaluateRobustness returned no result")
        print("PGD %-7s on %d %s test images: clean accuracy %.3f, robust accuracy %.3f (epsilon %.4f)" % (
            name, result.total, args.dataset, result.clean_accuracy, result.robust_accuracy, result.epsilon_used))
        if result.robust_accuracy > result.clean_accuracy:
            raise SystemExit("robust accuracy above clean accuracy")

    request = uncertainty_pb2.EstimateRequest(
        model=source,
        points=uncertainty_pb2.PointSelection(dataset=uncertainty_pb2.PointSelection.DatasetPoints(
            dataset=args.dataset, split=common_pb2.SPLIT_TEST, indices=list(range(args.points)))),
        spec=uncertainty_pb2.EstimatorSpec(estimator=uncertainty_pb2.ESTIMATOR_PACKET, space=common_pb2.SPACE_PIXEL, num_samples=32, seed=7),
    )
    result = None
    for update in uncertainty.Estimate(request, timeout=300):
        if update.WhichOneof("update") == "result":
            result = update.result
    if result is None or result.WhichOneof("result") != "packet":
        raise SystemExit("Estimate returned no packet result")
    summary = result.packet.overall
    print("packet estimator, pixel space, %d points: Δx %s, Δp %s, Δx·Δp %s (bound 1/2)" % (
        summary.num_points, estimate_text(summary.mean_dx), estimate_text(summary.mean_dp), estimate_text(summary.mean_product)))
    print("\nown model: all calls succeeded")


if __name__ == "__main__":
    try:
        main()
    except grpc.RpcError as error:
        raise SystemExit("gRPC call failed: %s: %s" % (error.code().name, error.details()))
