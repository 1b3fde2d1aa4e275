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
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
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
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The dashboard in a real headless Chromium (Debian packages {@code chromium} and {@code chromium-driver}),
 * driven by Selenium with explicit binaries so that Selenium Manager never downloads anything. Fails, rather
 * than skips, when the browser is missing: a dashboard nobody has seen render is not tested.
 */
@QuarkusTest
class DashboardBrowserTest {

    static final String CHROMIUM = System.getProperty("browser-test.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("browser-test.chromedriver", "/usr/bin/chromedriver");
    private static final Duration PAGE_WAIT = Duration.ofSeconds(15);

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
        pool.all().forEach(backend -> pool.remove(backend.id()));
        steady = TestBackend.start("steady");
        doomed = TestBackend.start("doomed");
        pool.add(BackendSpecParser.parse(steady.url()));
        pool.add(BackendSpecParser.parse(doomed.url()));

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1400,600",
                "--user-data-dir=" + Files.createTempDirectory(profile, "run-"));
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void tearDown() {
        if (browser != null) {
            browser.quit();
        }
        steady.close();
        doomed.close();
    }

    @Test
    void showsEveryBackendAndABackendGoingDown() throws Exception {
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

        // The backend's process dies; traffic to it fails to connect and passive detection takes it out.
        doomed.stop();
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            http.send(HttpRequest.newBuilder(traffic.resolve("/ping")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return pool.find(doomed.url()).orElseThrow().state() == BackendState.DOWN;
        });

        wait.until(page -> "DOWN".equals(stateOf(doomed)));
        String colour = wait.until(page -> {
            WebElement badge = row(doomed).findElement(By.cssSelector(".state"));
            return "DOWN".equals(badge.getText()) ? badge.getCssValue("color") : null;
        });
        assertTrue(colour.contains("179, 38, 30"), "a DOWN badge is red, was " + colour);
        wait.until(page -> "UP".equals(stateOf(steady)));
        wait.until(page -> page.findElement(By.id("summary")).getText().equals("1 of 2 backends DOWN"));
        // requests that reached the steady backend show up as a rate
        wait.until(page -> !row(steady).findElement(By.cssSelector(".rps")).getText().equals("–"));

        Path screenshot = Path.of("target", "dashboard-backend-down.png");
        Files.createDirectories(screenshot.getParent());
        Files.copy(((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath(), screenshot,
                StandardCopyOption.REPLACE_EXISTING);
    }

    private WebElement row(TestBackend backend) {
        return browser.findElement(By.cssSelector("#rows tr[data-backend='" + backend.url() + "']"));
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
