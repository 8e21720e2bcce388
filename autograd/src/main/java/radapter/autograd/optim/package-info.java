/**
 * Optimizers, learning-rate schedules and gradient clipping for training with
 * {@code radapter.autograd}, with PyTorch's semantics.
 *
 * <ul>
 *   <li>{@link radapter.autograd.optim.Optimizer}: the common base: {@link radapter.autograd.optim.ParamGroup
 *       parameter groups} with their own hyper-parameters, lazily created per-parameter state,
 *       {@code step()}, {@code zeroGrad()} and a serialisable
 *       {@link radapter.autograd.optim.OptimizerState state dict}.</li>
 *   <li>{@link radapter.autograd.optim.SGD} ({@code torch.optim.SGD}: momentum, dampening,
 *       Nesterov, L2 weight decay) and {@link radapter.autograd.optim.AdamW}
 *       ({@code torch.optim.AdamW}: decoupled weight decay, bias correction, optional AMSGrad).</li>
 *   <li>{@link radapter.autograd.optim.LrSchedule} with {@link radapter.autograd.optim.ConstantLr},
 *       {@link radapter.autograd.optim.StepLr} and {@link radapter.autograd.optim.WarmupCosineLr}
 *       (the fine-tuning recipe's {@code cosine_lr}, spec §7.3).</li>
 *   <li>{@link radapter.autograd.optim.GradClip#clipGradNorm}: {@code torch.nn.utils.clip_grad_norm_}.</li>
 * </ul>
 *
 * <p>Memory: optimizer state lives in the {@link radapter.tensor.MemoryScope} that was current when
 * the optimizer was built (normally the model's scope; GC-owned memory when none was open), and
 * every temporary of a {@code step()} or a clipping call lives in a private scope closed before it
 * returns, so a training loop's off-heap footprint stays flat after the first step.
 *
 * <p>A typical step, with the spec's order (schedule, backward, clip, step):
 * <pre>{@code
 * AdamW opt = AdamW.builder().lr(5e-4).weightDecay(0).params(adapterParams).build();
 * LrSchedule sched = new WarmupCosineLr(5e-4, 500, totalSteps, 1e-6);
 * for (long step = 0; step < totalSteps; step++) {
 *     sched.apply(opt, step);
 *     try (MemoryScope s = MemoryScope.open()) {
 *         loss(batch).backward();
 *         GradClip.clipGradNorm(adapterParams, 1.0);
 *         opt.step();
 *         opt.zeroGrad();        // buffers are kept aside and reused by the next backward
 *     }
 * }
 * }</pre>
 */
package radapter.autograd.optim;
