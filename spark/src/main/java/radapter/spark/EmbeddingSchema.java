package radapter.spark;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The columns of the image embeddings a job writes to Parquet. */
public final class EmbeddingSchema {
    /** Position of the image in the listed dataset. */
    public static final String INDEX = "index";
    /** The image's path (or the {@code binaryFile} name). */
    public static final String PATH = "path";
    /** Class index; -1 where the image has none. */
    public static final String LABEL = "label";
    /** CLIP image features after the projection, {@code array<float>} of the model's embedding width. */
    public static final String FEATURES = "features";

    /** {@code index: long, path: string, label: int, features: array<float>}. */
    public static final StructType SCHEMA = new StructType(new StructField[] {
            DataTypes.createStructField(INDEX, DataTypes.LongType, false),
            DataTypes.createStructField(PATH, DataTypes.StringType, false),
            DataTypes.createStructField(LABEL, DataTypes.IntegerType, false),
            DataTypes.createStructField(FEATURES, DataTypes.createArrayType(DataTypes.FloatType, false), false),
    });

    private EmbeddingSchema() {
    }
}
