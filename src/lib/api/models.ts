/** `lab.models.*`: the model registry and model utilities (freeze, summary, Keras .h5 weights). */
export * from "../models/index";
export * from "../models/keras-h5";
