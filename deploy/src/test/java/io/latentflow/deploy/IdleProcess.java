package io.latentflow.deploy;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** A process for tests: prints "ready", then idles until killed; with argument "ignore-sigterm" it ignores SIGTERM. */
public final class IdleProcess {

    private IdleProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && args[0].equals("ignore-sigterm")) {
            Signal.handle(new Signal("TERM"), SignalHandler.SIG_IGN);
        }
        System.out.println("ready");
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
