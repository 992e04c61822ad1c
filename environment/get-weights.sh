#!/usr/bin/env bash
# `make weights`: fetch Keras' ImageNet ResNet50 (notop) weights into outputs/models/pretrained/.
# Needs internet; nothing else in the workspace downloads anything. Without the file, ResNet50
# trains from scratch and every report says so.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/outputs/models/pretrained"
file=resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5
url="https://storage.googleapis.com/tensorflow/keras-applications/resnet/$file"
mkdir -p "$dest"
if [ -s "$dest/$file" ]; then echo "weights already present: $dest/$file"; exit 0; fi
echo "downloading $url"
if ! curl -fL --retry 2 -o "$dest/$file.part" "$url"; then
  rm -f "$dest/$file.part"
  echo "could not download the weights (no internet here?). Copy $file into $dest by hand, or set STEEL_RESNET50_WEIGHTS=/path/to/$file." >&2
  exit 1
fi
mv "$dest/$file.part" "$dest/$file"
echo "saved $dest/$file"
