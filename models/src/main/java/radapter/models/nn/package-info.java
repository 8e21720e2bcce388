/**
 * Building blocks of models: {@link radapter.models.nn.Module} (named parameter trees, train/eval,
 * freezing, state dicts) and the layers CLIP is made of — Linear, LayerNorm, Embedding,
 * multi-head attention, MLP, the residual attention block and the Transformer stack. Forward
 * passes are written with {@code radapter.autograd} ops, so the same code runs inference (under
 * no-grad, recording nothing) and training.
 */
package radapter.models.nn;
