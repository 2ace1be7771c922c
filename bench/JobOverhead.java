import java.util.*;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.*;
/**
 * Spark's cost of one job against its task count: the median of 20 count() jobs on a cached RDD
 * of 2, 8, 32, 128 and 256 partitions, after 5 warm-up jobs, on the master given (default
 * local[2]). docs/benchmarks/sharding.md uses it for the job costs of its model. Run with
 * bench/job-overhead.sh [MASTER].
 */
public class JobOverhead {
  public static void main(String[] a) {
    SparkConf c = new SparkConf().setAppName("jo").setMaster(a.length > 0 ? a[0] : "local[2]")
      .set("spark.ui.enabled","false").set("spark.driver.host","127.0.0.1").set("spark.driver.bindAddress","127.0.0.1");
    try (JavaSparkContext sc = new JavaSparkContext(c)) {
      System.out.println("| tasks | median ms per job (20 jobs) |\n|---:|---:|");
      for (int n : new int[]{2, 8, 32, 128, 256}) {
        List<Integer> xs = new ArrayList<>(); for (int i = 0; i < n; i++) xs.add(i);
        JavaRDD<Integer> r = sc.parallelize(xs, n).cache(); r.count();
        double[] t = new double[20];
        for (int k = 0; k < 25; k++) { long t0 = System.nanoTime(); r.count(); if (k >= 5) t[k-5] = (System.nanoTime()-t0)/1e6; }
        Arrays.sort(t); System.out.printf("| %d | %.1f |%n", n, (t[9]+t[10])/2);
      }
    }
  }
}
