package io.lb.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.lb.balancer.BackendPool;
import io.lb.balancer.BackendState;
import io.lb.config.BackendSpecParser;
import io.lb.testing.Pools;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * The dashboard in a real headless Chromium (Debian packages {@code chromium} and {@code chromium-driver}),
 * driven by Selenium with explicit binaries so that Selenium Manager never downloads anything, in a 1280 px wide
 * window, while real requests flow through the balancer to two backends with varying latency. The charts must
 * draw that traffic (their uPlot instances' data arrays hold non-zero points, read with JavaScript), the table's
 * p50 and p99 show numbers, and a backend whose process dies must turn DOWN in the table, the summary, its pool's
 * charts and the list of state changes. Fails, rather than skips, when the browser is missing: a dashboard nobody
 * has seen render is not tested.
 *
 * <p>
 * The test writes a screenshot of the whole page to {@code target/dashboard.png}; with
 * {@code -Ddashboard.screenshot.docs=true} it runs the traffic longer (fuller charts) and also writes
 * {@code docs/dashboard.png}, the picture in the README.
 */
@QuarkusTest
class DashboardBrowserTest {

    static final String CHROMIUM = System.getProperty("browser-test.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("browser-test.chromedriver", "/usr/bin/chromedriver");
    static final boolean DOCS_SCREENSHOT = Boolean.getBoolean("dashboard.screenshot.docs");
    private static final Duration PAGE_WAIT = Duration.ofSeconds(30);
    private static final int WIDTH = 1280;
    private static final Pattern MILLIS = Pattern.compile("\\d+(\\.\\d+)? ms");

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @TestHTTPResource("/")
    URI traffic;

    @Inject
    BackendPool pool;

    private static ChromeDriverService service;
    private static Path profile;
    private WebDriver browser;
    private TestBackend steady;
    private TestBackend doomed;
    private final AtomicBoolean trafficOn = new AtomicBoolean();
    private final List<Thread> clients = new ArrayList<>();

    @BeforeAll
    static void startChromeDriver() throws IOException {
        for (String binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(Path.of(binary))) {
                fail(binary + " is missing: the dashboard browser test needs the Debian packages chromium and "
                        + "chromium-driver (apt-get install -y chromium chromium-driver), or -Dbrowser-test.chromium / "
                        + "-Dbrowser-test.chromedriver pointing at a Chromium and its matching chromedriver");
            }
        }
        // An explicit driver executable and browser binary: Selenium Manager is never consulted
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        service.start();
        profile = Files.createTempDirectory("lb-dashboard-chromium-");
    }

    @AfterAll
    static void stopChromeDriver() throws IOException {
        if (service != null) {
            service.stop();
        }
        if (profile != null) {
            try (var paths = Files.walk(profile)) {
                paths.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        steady = TestBackend.start("steady").behave(answerAfterAbout("steady", 4));
        doomed = TestBackend.start("doomed").behave(answerAfterAbout("doomed", 12));
        Pools.use(pool, steady, doomed);

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--window-size=" + WIDTH + ",1000",
                "--user-data-dir=" + Files.createTempDirectory(profile, "run-"));
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        stopTraffic();
        if (browser != null) {
            browser.quit();
        }
        steady.close();
        doomed.close();
        Pools.awaitAllIdle(pool);
    }

    @Test
    void chartsDrawTheTrafficAndABackendGoingDownShows() throws Exception {
        browser.get(management.resolve("/lb/dashboard").toString());
        // the page re-renders its rows on every poll: an element found just before may be gone
        WebDriverWait wait = new WebDriverWait(browser, PAGE_WAIT);
        wait.ignoring(StaleElementReferenceException.class);

        wait.until(page -> "UP".equals(stateOf(steady)) && "UP".equals(stateOf(doomed)));
        assertEquals("Load balancer dashboard", browser.getTitle());
        assertEquals(2, browser.findElements(By.cssSelector("#rows tr[data-backend]")).size());
        assertEquals("2 backends, none DOWN", browser.findElement(By.id("summary")).getText());
        String poolHeading = browser.findElement(By.cssSelector("#rows tr[data-pool='default']")).getText();
        assertTrue(poolHeading.startsWith("Pool default · UP · routes: default (any host/)"), poolHeading);
        // p50 and p99 of the histogram as the page estimates them (as histogram_quantile would)
        assertEquals(0.005, number(script("return lbDashboard.quantile(0.5, [0.001, 0.005, 0.01], [0, 10, 20], 20)")), 1e-9);
        assertEquals(0.0099, number(script("return lbDashboard.quantile(0.99, [0.001, 0.005, 0.01], [0, 10, 20], 20)")), 1e-9);
        assertEquals(null, script("return lbDashboard.quantile(0.5, [0.001, 0.005], [0, 0], 0)"));

        startTraffic(6);
        // every chart of the pool holds non-zero points: requests/s, error rate (no errors yet: all 0, not absent),
        // latency and active connections
        wait.until(page -> chartHasNonZeroPoints("rps") && chartHasNonZeroPoints("latency")
                && chartHasNonZeroPoints("active"));
        assertTrue((Boolean) script("var u = lbDashboard.charts['default'].errors; "
                + "return u.data[1].some(function (v) { return v === 0; });"), "the error rate is drawn, at 0");
        wait.until(page -> MILLIS.matcher(cellOf(steady, ".latency-p50")).matches()
                && MILLIS.matcher(cellOf(steady, ".latency-p99")).matches());
        if (DOCS_SCREENSHOT) {
            Thread.sleep(40_000); // fuller charts for the README's picture
        }

        // The backend's process dies; traffic to it fails to connect and passive detection takes it out.
        doomed.stop();
        await().atMost(Duration.ofSeconds(20)).until(() -> pool.find(doomed.url()).orElseThrow().state() == BackendState.DOWN);

        wait.until(page -> "DOWN".equals(stateOf(doomed)));
        String colour = wait.until(page -> {
            WebElement badge = row(doomed).findElement(By.cssSelector(".state"));
            return "DOWN".equals(badge.getText()) ? badge.getCssValue("color") : null;
        });
        assertTrue(colour.contains("179, 38, 30"), "a DOWN badge is red, was " + colour);
        wait.until(page -> "UP".equals(stateOf(steady)));
        WebElement summary = wait.until(page -> {
            WebElement element = page.findElement(By.id("summary"));
            return element.getText().equals("1 of 2 backends DOWN") ? element : null;
        });
        assertTrue(summary.getCssValue("background-color").contains("179, 38, 30"),
                "the summary turns red, was " + summary.getCssValue("background-color"));
        // the pool's charts say it in their heading and series labels, and the change is listed and marked
        wait.until(page -> page.findElement(By.cssSelector("#charts section[data-pool='default'] h2")).getText()
                .contains("1 of 2 backends DOWN"));
        wait.until(page -> page.findElements(By.cssSelector("#events li[data-to='DOWN']")).stream()
                .anyMatch(li -> li.getText().contains(doomed.url().substring("http://".length()))));
        assertTrue((Boolean) script("return lbDashboard.events.some(function (e) { return e.backend === '"
                + doomed.url() + "' && e.to === 'DOWN'; });"), "the change is recorded for the markers");
        wait.until(page -> ((String) script("return lbDashboard.charts['default'].rps.series.map(function (s) "
                + "{ return s.label; }).join('|');")).contains(" DOWN"));
        // requests that reached the steady backend keep showing as a rate
        wait.until(page -> !cellOf(steady, ".rps").equals("–"));
        Thread.sleep(DOCS_SCREENSHOT ? 15_000 : 2_000); // a few points after the change, right of its marker

        long pageWidth = ((Number) script("return document.documentElement.scrollWidth")).longValue();
        assertTrue(pageWidth <= WIDTH, "the page fits a " + WIDTH + " px window, was " + pageWidth + " px wide");
        screenshot();
    }

    /** Answers with the backend's name after a random delay with the given mean (exponential, 1 ms at least). */
    private static Handler<HttpServerRequest> answerAfterAbout(String name, double meanMillis) {
        return request -> request.body().onComplete(ignored -> TestBackend.vertx().setTimer(
                1 + (long) (-Math.log(1 - ThreadLocalRandom.current().nextDouble()) * meanMillis),
                id -> request.response().end(name)));
    }

    /** {@code count} clients in a closed loop with a short pause between requests, until the test ends. */
    private void startTraffic(int count) {
        trafficOn.set(true);
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < count; i++) {
            Thread client = new Thread(() -> {
                while (trafficOn.get()) {
                    try {
                        http.send(HttpRequest.newBuilder(traffic.resolve("/ping")).timeout(Duration.ofSeconds(5)).build(),
                                HttpResponse.BodyHandlers.discarding());
                        Thread.sleep(10);
                    } catch (IOException e) {
                        // a request that failed still counts: the dashboard shows errors too
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "dashboard-traffic-" + i);
            client.start();
            clients.add(client);
        }
    }

    private void stopTraffic() throws InterruptedException {
        trafficOn.set(false);
        for (Thread client : clients) {
            client.join(TimeUnit.SECONDS.toMillis(10));
        }
        clients.clear();
    }

    private boolean chartHasNonZeroPoints(String chart) {
        return Boolean.TRUE.equals(script("var c = window.lbDashboard && lbDashboard.charts['default']; "
                + "if (!c) { return false; } var u = c['" + chart + "']; "
                + "return u.data.slice(1).some(function (s) { return s.some(function (v) { return v > 0; }); });"));
    }

    private Object script(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static double number(Object value) {
        return ((Number) value).doubleValue();
    }

    /** The whole page at 1280 px: target/dashboard.png, and docs/dashboard.png when asked for. */
    private void screenshot() throws IOException {
        long height = ((Number) script("return document.documentElement.scrollHeight")).longValue();
        browser.manage().window().setSize(new Dimension(WIDTH, (int) Math.min(height + 20, 2400)));
        new WebDriverWait(browser, PAGE_WAIT).until(page -> ((Number) script("return window.innerWidth")).intValue() == WIDTH);
        Path target = Path.of("target", "dashboard.png");
        Files.createDirectories(target.getParent());
        Files.copy(((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath(), target,
                StandardCopyOption.REPLACE_EXISTING);
        if (DOCS_SCREENSHOT) {
            Files.copy(target, Path.of("docs", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private WebElement row(TestBackend backend) {
        return browser.findElement(By.cssSelector("#rows tr[data-backend='" + backend.url() + "']"));
    }

    private String cellOf(TestBackend backend, String css) {
        return row(backend).findElement(By.cssSelector(css)).getText();
    }

    private String stateOf(TestBackend backend) {
        List<WebElement> rows = browser.findElements(By.cssSelector("#rows tr[data-backend='" + backend.url() + "']"));
        try {
            return rows.isEmpty() ? null : rows.get(0).getDomAttribute("data-state");
        } catch (StaleElementReferenceException rerendered) {
            return null;
        }
    }
}
