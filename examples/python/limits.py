#!/usr/bin/env python3
"""Reads the request limits from the contract in Python: the (conjugate.v1.limits) option of each field,
from the descriptors of the stubs generated from proto/ (./generate.sh first). No service is called.

    /usr/bin/python3 examples/python/limits.py            # EstimatorSpec.num_samples, then every annotated field

The services refuse a value outside these limits with INVALID_ARGUMENT naming the field; a client can
check before it sends (see proto/conjugate/v1/limits.proto for what each rule means).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen"))

from conjugate.v1 import attack_pb2, data_pb2, limits_pb2, model_pb2, training_pb2, uncertainty_pb2  # noqa: E402


def field_limits(field):
    """The field's FieldLimits, or None when it has no (conjugate.v1.limits) option."""
    options = field.GetOptions()
    return options.Extensions[limits_pb2.limits] if options.HasExtension(limits_pb2.limits) else None


def describe(limits):
    return ", ".join(f"{f.name}={v}" for f, v in limits.ListFields())


def messages(descriptor):
    yield descriptor
    for nested in descriptor.nested_types:
        yield from messages(nested)


def main():
    num_samples = field_limits(uncertainty_pb2.EstimatorSpec.DESCRIPTOR.fields_by_name["num_samples"])
    if num_samples is None or not (num_samples.HasField("min") and num_samples.HasField("max")):
        sys.exit("EstimatorSpec.num_samples has no (conjugate.v1.limits) min and max in the generated descriptor")
    print(f"EstimatorSpec.num_samples: [{num_samples.min:g}, {num_samples.max:g}] ({describe(num_samples)})")
    # docs/limits.md: num_samples (N) in [2, 65 536], enforced by the uncertainty-service.
    if (num_samples.min, num_samples.max) != (2, 65536):
        sys.exit(f"EstimatorSpec.num_samples: expected [2, 65536] (docs/limits.md), the contract says [{num_samples.min:g}, {num_samples.max:g}]")

    annotated = 0
    for module in (attack_pb2, data_pb2, model_pb2, training_pb2, uncertainty_pb2):
        for top in module.DESCRIPTOR.message_types_by_name.values():
            for message in messages(top):
                for field in message.fields:
                    limits = field_limits(field)
                    if limits is not None:
                        annotated += 1
                        print(f"  {message.full_name}.{field.name}: {describe(limits)}")
    print(f"{annotated} fields carry (conjugate.v1.limits)")


if __name__ == "__main__":
    main()
