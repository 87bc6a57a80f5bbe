// Runs epubcheck on every EPUB named on the command line in one JVM (a JVM start-up costs seconds).
// For each book: its messages as epubcheck prints them, then "@@ <path> fatal=N errors=N warnings=N".
// Run as a single-file source program: java -cp epubcheck.jar EpubCheckAll.java a.epub b.epub
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.util.DefaultReportImpl;
import java.io.File;

public class EpubCheckAll {
    public static void main(String[] args) {
        for (String path : args) {
            DefaultReportImpl report = new DefaultReportImpl(path);
            new EpubCheck(new File(path), report).doValidate();
            System.err.flush();
            System.out.println("@@ " + path + " fatal=" + report.getFatalErrorCount() + " errors="
                + report.getErrorCount() + " warnings=" + report.getWarningCount());
            System.out.flush();
        }
    }
}
