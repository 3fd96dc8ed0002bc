#!/usr/bin/env bash
# Generates the Python messages and gRPC stubs from proto/ into examples/python/gen (not committed).
# Needs Debian protobuf-compiler, protobuf-compiler-grpc (grpc_python_plugin), python3-grpcio, python3-protobuf.
# conjugate/v1/limits.proto imports google/protobuf/descriptor.proto: Debian's protobuf-compiler ships it in
# /usr/include, which protoc searches by itself; with a protoc that does not, set PROTOC_INCLUDE to its folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
proto=$(cd "$here/../../proto" && pwd)
rm -rf "$here/gen"
mkdir -p "$here/gen"
protoc -I "$proto" ${PROTOC_INCLUDE:+-I "$PROTOC_INCLUDE"} \
  --python_out="$here/gen" --pyi_out="$here/gen" \
  --grpc_out="$here/gen" --plugin=protoc-gen-grpc="$(command -v grpc_python_plugin)" \
  $(cd "$proto" && find conjugate -name '*.proto' | sort)
echo "generated $(find "$here/gen" -name '*.py' | wc -l) Python modules in $here/gen"
