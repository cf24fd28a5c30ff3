package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.latentflow.core.nn.Conv2d;
import io.latentflow.core.nn.Scalars;
import io.latentflow.core.vae.AutoencoderKl;
import io.latentflow.core.vae.DiagonalGaussianDistribution;

import java.util.Locale;

/**
 * The first-stage loss of latent diffusion (CompVis LPIPSWithDiscriminator, Rombach et al. 2022 sec. 3 and app. G;
 * Esser et al. 2021, eq. 7): a reconstruction term under a learned log-variance, a small KL term, and an adversarial
 * term weighted adaptively.
 * <pre>
 *   rec   = |x - x_rec| (+ w_p LPIPS(x, x_rec))
 *   nll   = sum(rec / exp(logvar) + logvar) / B
 *   kl    = sum_b KL(q(z|x_b) || N(0, I)) / B
 *   g     = -mean(D(x_rec))
 *   lambda = w_d * clamp(||grad_L nll|| / (||grad_L g|| + 1e-4), 0, 1e4)     L = decoder.conv_out.weight (eq. 7)
 *   loss  = nll + w_kl kl + lambda * f(step) * g                    f(step) = disc_factor once step >= disc_start
 *   d_loss = f(step) * hinge or vanilla(D(x), D(x_rec))                     the discriminator's own loss
 * </pre>
 * The perceptual term is off here (w_p = 0): LPIPS needs its VGG16 weights, which are not bundled.
 *
 * @param klWeight        w_kl
 * @param discStart       the step from which the adversarial terms count
 * @param discWeight      w_d
 * @param discFactor      f once enabled
 * @param discLoss        hinge or vanilla
 */
public record AutoencoderLoss(double klWeight, long discStart, double discWeight, double discFactor,
                              DiscriminatorLossKind discLoss) {

    /** The discriminator's objective. */
    public enum DiscriminatorLossKind {
        /** 0.5 (mean(relu(1 - D(x))) + mean(relu(1 + D(x_rec)))) (Lim and Ye 2017). */
        HINGE,
        /** 0.5 (mean(softplus(-D(x))) + mean(softplus(D(x_rec)))) (Goodfellow et al. 2014). */
        VANILLA;

        /** Parses "hinge" or "vanilla". */
        public static DiscriminatorLossKind parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("disc_loss must be hinge or vanilla, not '" + name + "'");
            }
        }

        /** The loss on the logits of a real and a reconstructed batch. */
        public NDArray loss(NDArray logitsReal, NDArray logitsFake) {
            NDArray real;
            NDArray fake;
            if (this == HINGE) {
                real = Activation.relu(logitsReal.neg().add(1f)).mean();
                fake = Activation.relu(logitsFake.add(1f)).mean();
            } else {
                real = Activation.softPlus(logitsReal.neg()).mean();
                fake = Activation.softPlus(logitsFake).mean();
            }
            return Scalars.mul(real.add(fake), 0.5);
        }
    }

    public AutoencoderLoss {
        if (!(klWeight >= 0) || !(discWeight >= 0) || !(discFactor >= 0)) {
            throw new IllegalArgumentException("kl_weight, disc_weight and disc_factor must be >= 0");
        }
        if (discStart < 0) {
            throw new IllegalArgumentException("disc_start must be >= 0, got " + discStart);
        }
    }

    /** adopt_weight: the discriminator factor at a global step, 0 before disc_start. */
    public double discFactorAt(long globalStep) {
        return globalStep < discStart ? 0.0 : discFactor;
    }

    /** The generator terms of one step, all scalars except the two gradients at the last layer. */
    public record GeneratorTerms(NDArray loss, NDArray recLoss, NDArray nllLoss, NDArray klLoss, NDArray gLoss,
                                 double dWeight, double discFactor, NDArray nllGrads, NDArray gGrads,
                                 NDArray logitsFake) {
    }

    /**
     * The generator loss and its gradients: accumulates d loss / d p into the autoencoder's parameters (through
     * decoder and encoder) and into {@code logvar}, with lambda detached as in the reference. The discriminator's
     * parameters receive the gradient of g as well; its own step zeroes them first.
     *
     * @param step          the open training step
     * @param images        x (B, C, H, W) in [-1, 1]
     * @param posterior     q(z|x) from the encoder, in the step's graph
     * @param decoding      the decoder's output for a sample of the posterior, in the step's graph
     * @param logvar        the learned scalar log-variance (a trainable leaf)
     * @param discriminator D, or null when the run never reaches disc_start (no adversarial terms computed)
     * @param globalStep    the step number for adopt_weight
     */
    public GeneratorTerms generatorStep(TrainingStep step, NDArray images, DiagonalGaussianDistribution posterior,
                                        AutoencoderKl.TrainingDecoding decoding, NDArray logvar,
                                        NLayerDiscriminator discriminator, long globalStep) {
        long batch = images.getShape().get(0);
        // 1. the losses on a detached copy of x_rec: their gradients there feed the decoder once, at the end
        NDArray reconstruction = decoding.images().stopGradient();
        reconstruction.setRequiresGradient(true);
        NDArray rec = images.sub(reconstruction).abs();
        NDArray nll = Scalars.div(rec.div(logvar.exp()).add(logvar).sum(), batch);
        step.backward(nll);
        NDArray dNllDx = reconstruction.getGradient().duplicate();
        NDArray kl = Scalars.div(posterior.kl().sum(), batch);
        if (discriminator == null) {
            // a run that never reaches disc_start: reconstruction and KL alone
            step.backward(decoding.images().mul(dNllDx).sum().add(Scalars.mul(kl, klWeight)));
            NDArray loss = nll.stopGradient().add(kl.stopGradient().mul((float) klWeight));
            return new GeneratorTerms(loss, rec.stopGradient().mean(), nll.stopGradient(), kl.stopGradient(), null,
                    0, 0, null, null, null);
        }
        NDArray logitsFake = discriminator.forward(reconstruction);
        NDArray g = logitsFake.mean().neg();
        clearGradient(reconstruction);
        step.backward(g);
        NDArray dGDx = reconstruction.getGradient().duplicate();
        // 2. lambda from the gradients at the last layer (eq. 7)
        NDArray nllGrads = lastLayerGradient(step, decoding, dNllDx);
        NDArray gGrads = lastLayerGradient(step, decoding, dGDx);
        double dWeight = 0;
        if (discFactor > 0) {
            double ratio = nllGrads.norm().getFloat() / (gGrads.norm().getFloat() + 1e-4);
            dWeight = (float) Math.min(Math.max(ratio, 0), 1e4) * (float) discWeight;
        }
        double factor = discFactorAt(globalStep);
        // 3. one backward through decoder and encoder: x_rec . dloss/dx_rec + w_kl kl
        NDArray dLossDx = dNllDx.add(dGDx.mul((float) (dWeight * factor)));
        NDArray surrogate = decoding.images().mul(dLossDx).sum().add(Scalars.mul(kl, klWeight));
        step.backward(surrogate);
        NDArray loss = nll.stopGradient().add(kl.stopGradient().mul((float) klWeight))
                .add(g.stopGradient().mul((float) (dWeight * factor)));
        return new GeneratorTerms(loss, rec.stopGradient().mean(), nll.stopGradient(), kl.stopGradient(),
                g.stopGradient(), dWeight, factor, nllGrads, gGrads, logitsFake.stopGradient());
    }

    /**
     * The discriminator loss f(step) * d_loss on x and a detached x_rec (two forwards, each with its own batch
     * statistics), its gradient accumulated into the discriminator's parameters.
     */
    public DiscriminatorTerms discriminatorStep(TrainingStep step, NDArray images, NDArray reconstruction,
                                                NLayerDiscriminator discriminator, long globalStep) {
        NDArray logitsReal = discriminator.forward(images.stopGradient());
        NDArray logitsFake = discriminator.forward(reconstruction.stopGradient());
        double factor = discFactorAt(globalStep);
        NDArray dLoss = Scalars.mul(discLoss.loss(logitsReal, logitsFake), factor);
        if (factor > 0) {
            step.backward(dLoss);
        }
        return new DiscriminatorTerms(dLoss.stopGradient(), logitsReal.stopGradient(), logitsFake.stopGradient(),
                factor);
    }

    /** What the discriminator's step gives. */
    public record DiscriminatorTerms(NDArray dLoss, NDArray logitsReal, NDArray logitsFake, double discFactor) {
    }

    /** d L / d W of the last layer y = conv(a, W) + b given G = d L / d y: the weight gradient of one convolution. */
    private static NDArray lastLayerGradient(TrainingStep step, AutoencoderKl.TrainingDecoding decoding,
                                             NDArray outputGradient) {
        NDArray weight = decoding.lastLayer().weight().stopGradient();
        weight.setRequiresGradient(true);
        NDArray input = decoding.lastLayerInput().stopGradient();
        NDArray y = new Conv2d(weight, null, decoding.lastLayer().stride(),
                decoding.lastLayer().padding()).forward(input);
        step.backward(y.mul(outputGradient).sum());
        return weight.getGradient().duplicate();
    }

    private static void clearGradient(NDArray leaf) {
        NDArray g = leaf.getGradient();
        g.muli(0);
        g.close();
    }
}
